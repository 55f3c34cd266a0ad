/**
 * A lean load generator that speaks MQTT 3.1.1 on raw sockets: CONNECT, PUBLISH (QoS 1 with
 * packet ids kept in a window per connection, or QoS 0 as fast as the socket drains), PUBACK
 * counting. It costs a fraction of what a full client library costs per message, so the
 * rate it reports is the server's, not the generator's. `forecare-sim load` uses it for
 * mqtt:// URLs, and the gateway's ingest benchmark runs it in a process of its own:
 *
 *   node raw-load.js '<json RawLoadOptions>'   — prints one JSON line (RawLoadResult).
 */
import { connect, type Socket } from 'node:net';

export interface RawLoadOptions {
  readonly port: number;
  readonly host?: string;
  /** One connection per hub; username = hub id, no credentials when password is null (a bare broker). */
  readonly hubs: readonly { readonly hubId: string; readonly password: string | null }[];
  readonly qos?: 0 | 1;
  /** QoS 1 publishes in flight per connection. */
  readonly window: number;
  readonly seconds: number;
  /** Called every 250 ms with the messages sent (QoS 0) or acknowledged (QoS 1) so far. */
  readonly onProgress?: (count: number) => void;
}

export interface RawLoadResult {
  readonly connections: number;
  readonly sent: number;
  /** QoS 1: acknowledged within the time; QoS 0: written within the time. */
  readonly acked: number;
  readonly perSec: number;
  /** PUBACK latency in ms (NaN for QoS 0). */
  readonly p50: number;
  readonly p99: number;
  readonly seconds: number;
  /** CPU the generator itself used, in cores (user + system over wall time). */
  readonly cpuCores: number;
  /** Connections the server closed during the run. */
  readonly errors: number;
}

/** The variable-length Remaining Length of a fixed header [MQTT-2.2.3]. */
export function remainingLength(n: number): Buffer {
  const bytes: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    bytes.push(b);
  } while (n > 0);
  return Buffer.from(bytes);
}

/** A length-prefixed MQTT string [MQTT-1.5.3]; given bytes are sent as they are (tests send invalid UTF-8 on purpose). */
export function mqttString(s: Buffer | string): Buffer {
  const b = typeof s === 'string' ? Buffer.from(s, 'utf8') : s;
  const len = Buffer.alloc(2);
  len.writeUInt16BE(b.length);
  return Buffer.concat([len, b]);
}

/** CONNECT, MQTT 3.1.1 [MQTT-3.1]: clean session, keepalive 60 s, username and password when given. */
export function connectPacket(clientId: string, username: string, password: string | null): Buffer {
  const flags = 0x02 | (password !== null ? 0xc0 : 0);
  const body = Buffer.concat([mqttString('MQTT'), Buffer.from([4, flags, 0, 60]), mqttString(clientId), ...(password !== null ? [mqttString(username), mqttString(password)] : [])]);
  return Buffer.concat([Buffer.from([0x10]), remainingLength(body.length), body]);
}

/** PUBLISH [MQTT-3.3]: fixed header 0x32 (QoS 1, with a packet id) or 0x30 (QoS 0), topic, payload. */
export function publishPacket(topic: Buffer, id: number, payload: string): Buffer {
  const payloadBytes = Buffer.byteLength(payload);
  const idBytes = id > 0 ? 2 : 0;
  const len = 2 + topic.length + idBytes + payloadBytes;
  const rl = remainingLength(len);
  const out = Buffer.allocUnsafe(1 + rl.length + len);
  out[0] = id > 0 ? 0x32 : 0x30;
  rl.copy(out, 1);
  let o = 1 + rl.length;
  out.writeUInt16BE(topic.length, o);
  topic.copy(out, o + 2);
  o += 2 + topic.length;
  if (id > 0) out.writeUInt16BE(id, o);
  out.write(payload, o + idBytes, 'utf8');
  return out;
}

interface Lane {
  readonly socket: Socket;
  readonly topic: Buffer;
  readonly sentAt: Float64Array;
  seq: number;
  nextId: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return Math.round((sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN) * 100) / 100;
}

export async function runRawLoad(o: RawLoadOptions): Promise<RawLoadResult> {
  const host = o.host ?? '127.0.0.1';
  const qos = o.qos ?? 1;
  let sent = 0;
  let acked = 0;
  let errors = 0;
  let running = true;
  // Latencies in a growing typed array: no per-message allocation on the generator side.
  let lat = new Float64Array(1 << 16);
  let latN = 0;
  const record = (ms: number): void => {
    if (latN === lat.length) {
      const next = new Float64Array(lat.length * 2);
      next.set(lat);
      lat = next;
    }
    lat[latN++] = ms;
  };
  const base = Math.floor(Date.now() / 1000) * 1000;

  /** Writes one PUBLISH; answers whether the socket takes more now. */
  const send = (lane: Lane): boolean => {
    let id = 0;
    if (qos === 1) {
      id = lane.nextId;
      lane.nextId = id === 65535 ? 1 : id + 1;
      lane.sentAt[id] = performance.now();
    }
    const seq = ++lane.seq;
    const payload = `{"ts":${Date.now()},"seq":${seq},"type":"refrigerator","metrics":{"fridge_temp_c":${4 + (seq % 10) / 10},"freezer_temp_c":-18.5,"compressor_duty":0.42,"compressor_current_a":1.1,"door_open":false}}`;
    sent++;
    if (qos === 0) acked++;
    return lane.socket.write(publishPacket(lane.topic, id, payload));
  };
  // QoS 0: as fast as the socket drains.
  const pump = (lane: Lane): void => {
    while (running && !lane.socket.destroyed && send(lane));
  };

  const open = (hub: RawLoadOptions['hubs'][number], index: number): Promise<Lane> =>
    new Promise((resolve, reject) => {
      const { hubId } = hub;
      const socket = connect({ host, port: o.port, noDelay: true });
      const lane: Lane = { socket, topic: Buffer.from(`forecare/v1/${hubId}/appliances/${hubId}.fridge/telemetry`), sentAt: new Float64Array(65536), seq: base + index * 1_000_000, nextId: 1 };
      let pending: Buffer = Buffer.alloc(0);
      let connected = false;
      socket.on('error', (err) => {
        if (!connected) reject(err);
      });
      socket.on('drain', () => {
        if (qos === 0) pump(lane);
      });
      socket.on('data', (chunk: Buffer) => {
        // The PUBLISHes answering this chunk's PUBACKs leave in one write, as a hub's TCP stack would coalesce them.
        socket.cork();
        pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
        let i = 0;
        while (i + 2 <= pending.length) {
          const type = (pending[i] ?? 0) >> 4;
          const rl = pending[i + 1] ?? 0; // every packet we expect back is short (< 128 bytes)
          if (i + 2 + rl > pending.length) break;
          if (type === 2) {
            // CONNACK [MQTT-3.2]: return code in byte 4.
            if (pending[i + 3] !== 0) reject(new Error(`CONNACK ${pending[i + 3]} for ${hubId}`));
            else {
              connected = true;
              resolve(lane);
            }
          } else if (type === 4 && rl === 2) {
            // PUBACK [MQTT-3.4]: packet id.
            const id = ((pending[i + 2] ?? 0) << 8) | (pending[i + 3] ?? 0);
            record(performance.now() - (lane.sentAt[id] ?? 0));
            acked++;
            if (running) send(lane);
          }
          i += 2 + rl;
        }
        pending = i === pending.length ? Buffer.alloc(0) : pending.subarray(i);
        socket.uncork();
      });
      socket.on('close', () => {
        if (!connected) reject(new Error(`connection of ${hubId} closed before CONNACK`));
        else if (running) errors++; // the server closed it mid-run
      });
      socket.write(connectPacket(`${hubId}-rawload`, hubId, hub.password));
    });

  const lanes = await Promise.all(o.hubs.map((h, i) => open(h, i)));
  const progress = o.onProgress === undefined ? undefined : setInterval(() => o.onProgress?.(acked), 250);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (const lane of lanes) {
    if (qos === 0) pump(lane);
    else for (let w = 0; w < o.window; w++) send(lane);
  }
  await new Promise((r) => setTimeout(r, o.seconds * 1000));
  running = false;
  const elapsedMs = performance.now() - t0;
  const ackedInTime = acked;
  const cpu = process.cpuUsage(cpu0);
  if (progress !== undefined) clearInterval(progress);
  o.onProgress?.(ackedInTime);
  // Let what is in flight come back, then close.
  await new Promise((r) => setTimeout(r, qos === 1 ? 500 : 50));
  for (const lane of lanes) lane.socket.destroy();
  const sorted = lat.subarray(0, latN).sort();
  return {
    connections: lanes.length,
    sent,
    acked: ackedInTime,
    perSec: Math.round(ackedInTime / (elapsedMs / 1000)),
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    seconds: Math.round(elapsedMs) / 1000,
    cpuCores: Math.round(((cpu.user + cpu.system) / 1000 / elapsedMs) * 100) / 100,
    errors,
  };
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  const options = JSON.parse(process.argv[2] ?? '{}') as RawLoadOptions;
  runRawLoad(options).then(
    (r) => {
      console.log(JSON.stringify(r));
      process.exit(0);
    },
    (err: unknown) => {
      console.error(String(err));
      process.exit(1);
    },
  );
}
