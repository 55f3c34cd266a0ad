import type { Client } from 'aedes';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/metrics.js';
import { isCleanMqttString } from './hygiene.js';

/** The parts of aedes' per-connection client we guard (not in its public types). */
export interface ClientInternals {
  readonly conn: { destroy(): void; once(event: 'close', listener: () => void): unknown; destroyed?: boolean; remoteAddress?: string; authorized?: boolean; getPeerCertificate?: () => { subject?: { CN?: string | string[] } } };
  readonly _parser: { packet: { length: number }; _parseLength: () => boolean };
}

export const internalsOf = (client: Client): ClientInternals => client as unknown as ClientInternals;

/**
 * aedes buffers a whole packet before parsing it, whatever its announced size. Check the
 * remaining length as soon as the fixed header is read and drop the connection before a
 * single oversized byte is kept (MQTT 3.1.1 has no way to say why).
 */
export function guardPacketSize(client: ClientInternals, max: number, metrics: Metrics, logger: Logger): void {
  const parser = client._parser;
  const parseLength = parser._parseLength;
  parser._parseLength = function guardedParseLength(this: ClientInternals['_parser']): boolean {
    const ok = parseLength.call(this);
    if (ok && this.packet.length > max) {
      metrics.rejects.inc({ reason: 'packet-too-large' });
      logger.warn({ remoteAddress: client.conn.remoteAddress, bytes: this.packet.length, max }, 'mqtt packet over FORECARE_MQTT_MAX_PACKET_BYTES: connection closed');
      client.conn.destroy();
      return false;
    }
    return ok;
  };
}

/** The CN of a verified client certificate (TLS with FORECARE_TLS_CA), if any. */
export function certificateNameOf(client: Client): string | undefined {
  const conn = internalsOf(client).conn;
  if (conn.authorized !== true || conn.getPeerCertificate === undefined) return undefined;
  const cn = conn.getPeerCertificate().subject?.CN;
  const name = Array.isArray(cn) ? cn[0] : cn;
  return name !== undefined && isCleanMqttString(name) ? name : undefined;
}
