/** Bare aedes on a free port, in its own process: the baseline the gateway is measured against. */
import { Aedes } from 'aedes';
import { serveBench } from './serve.js';

serveBench(await Aedes.createBroker());
