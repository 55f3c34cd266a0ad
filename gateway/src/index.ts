export { startGateway, type RunningGateway, type StartOptions } from './controller.js';
export { loadConfig, parseDuration, type GatewayConfig } from './config/config.js';
export { SETTINGS } from './config/settings.js';
export { sign, signatureHeader, verify, generateSecret } from './contact-center/signing.js';
export { ManualClock, systemClock, type Clock } from './clock.js';
export { createLogger, type Logger } from './log.js';
export { Metrics } from './metrics/metrics.js';
export type { GatewayContext } from './context.js';
export { MEASUREMENT as TELEMETRY_MEASUREMENT } from './sinks/influx-sink.js';
