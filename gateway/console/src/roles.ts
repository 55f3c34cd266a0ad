import type { Role } from './api.js';

/**
 * What each role may do, mirroring the routes' declared access: the console shows only these
 * pages and buttons. The API stays the authority — this only spares people buttons that would fail.
 */
const WORKERS: readonly Role[] = ['dispatcher', 'manager', 'admin'];
export const CAN = {
  workTickets: WORKERS,
  readCustomers: WORKERS,
  ackAlarms: ['dispatcher', 'engineer', 'admin'],
  clearAlarms: ['engineer', 'manager', 'admin'],
  closeFleetAlerts: ['manager', 'admin'],
  sla: ['manager', 'admin'],
  forecasts: ['manager', 'dispatcher', 'admin'],
  rules: ['engineer', 'manager', 'admin'],
  backtest: ['engineer', 'manager', 'admin'],
  deploy: ['engineer', 'admin'],
  replayContacts: WORKERS,
  admin: ['admin'],
} satisfies Record<string, readonly Role[]>;

export type Capability = keyof typeof CAN;
export const can = (role: Role, what: Capability): boolean => (CAN[what] as readonly Role[]).includes(role);
