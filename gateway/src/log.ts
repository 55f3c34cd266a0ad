import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/** One JSON line per event; ids (hubId, applianceId, ticketId) as fields; never secrets. */
export function createLogger(options: { level?: string; destination?: DestinationStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: 'forecare-gateway' },
      redact: { paths: ['password', '*.password', 'secret', '*.secret', 'token', '*.token', 'authorization', '*.authorization'], censor: '[redacted]' },
    },
    options.destination,
  );
}
