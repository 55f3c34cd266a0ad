/** The contact-center stand-in of the tests is the simulator's, a real HTTP service on its own port. */
export { ContactCenterSim as ContactCenterStandIn, type ReceivedTask } from '@forecare/device-sim';
