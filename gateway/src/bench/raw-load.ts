/**
 * A lean QoS 1 load generator that speaks MQTT 3.1.1 on raw sockets: CONNECT, PUBLISH with
 * packet ids kept in a window per connection, PUBACK counting. It runs in its own process
 * (the benchmark spawns it), so neither the server under test nor the orchestrator shares
 * its event loop, and it costs a fraction of what a full client library costs per message:
 * the figure is the server's, not the generator's.
 *
 * Usage: node raw-load.js '<json RawLoadOptions>' — prints one JSON line (RawLoadResult).
 */
import { connect, type Socket } from 'node:net';

export interface RawLoadOptions {
  readonly port: number;
  readonly host?: string;
  /** One connection per hub; username = hub id. */
  readonly hubs: readonly string[];
  readonly password: string | null;
  readonly window: number;
  readonly seconds: number;
}

export interface RawLoadResult {
  readonly sent: number;
  readonly acked: number;
  readonly perSec: number;
  readonly p50: number;
  readonly p99: number;
  readonly seconds: number;
  /** CPU the generator itself used, in cores (user + system over wall time). */
  readonly cpuCores: number;
}

function remainingLength(n: number): Buffer {
  const bytes: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    bytes.push(b);
  } while (n > 0);
  return Buffer.from(bytes);
}

function mqttString(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  const len = Buffer.alloc(2);
  len.writeUInt16BE(b.length);
  return Buffer.concat([len, b]);
}

/** CONNECT, MQTT 3.1.1 [MQTT-3.1]: clean session, keepalive 60 s, username and password when given. */
function connectPacket(clientId: string, username: string, password: string | null): Buffer {
  const flags = 0x02 | (password !== null ? 0xc0 : 0);
  const body = Buffer.concat([mqttString('MQTT'), Buffer.from([4, flags, 0, 60]), mqttString(clientId), ...(password !== null ? [mqttString(username), mqttString(password)] : [])]);
  return Buffer.concat([Buffer.from([0x10]), remainingLength(body.length), body]);
}

/** PUBLISH QoS 1 [MQTT-3.3]: fixed header 0x32, topic, packet id, payload. */
function publishPacket(topic: Buffer, id: number, payload: string): Buffer {
  const payloadBytes = Buffer.byteLength(payload);
  const len = 2 + topic.length + 2 + payloadBytes;
  const rl = remainingLength(len);
  const out = Buffer.allocUnsafe(1 + rl.length + len);
  out[0] = 0x32;
  rl.copy(out, 1);
  let o = 1 + rl.length;
  out.writeUInt16BE(topic.length, o);
  topic.copy(out, o + 2);
  o += 2 + topic.length;
  out.writeUInt16BE(id, o);
  out.write(payload, o + 2, 'utf8');
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
  let sent = 0;
  let acked = 0;
  let running = true;
  // Latencies in a growing typed array: no per-message allocation on the generator side.
  let lat = new Float64Array(1 << 20);
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

  const send = (lane: Lane): void => {
    const id = lane.nextId;
    lane.nextId = id === 65535 ? 1 : id + 1;
    const seq = ++lane.seq;
    const payload = `{"ts":${Date.now()},"seq":${seq},"type":"refrigerator","metrics":{"fridge_temp_c":${4 + (seq % 10) / 10},"freezer_temp_c":-18.5,"compressor_duty":0.42,"compressor_current_a":1.1,"door_open":false}}`;
    lane.sentAt[id] = performance.now();
    lane.socket.write(publishPacket(lane.topic, id, payload));
    sent++;
  };

  const open = (hubId: string, index: number): Promise<Lane> =>
    new Promise((resolve, reject) => {
      const socket = connect({ host, port: o.port, noDelay: true });
      const lane: Lane = { socket, topic: Buffer.from(`forecare/v1/${hubId}/appliances/${hubId}.fridge/telemetry`), sentAt: new Float64Array(65536), seq: base + index * 1_000_000, nextId: 1 };
      let pending: Buffer = Buffer.alloc(0);
      let connected = false;
      socket.on('error', reject);
      socket.on('data', (chunk: Buffer) => {
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
      });
      socket.on('close', () => {
        if (!connected) reject(new Error(`connection of ${hubId} closed before CONNACK`));
      });
      socket.write(connectPacket(`${hubId}-rawload`, hubId, o.password));
    });

  const lanes = await Promise.all(o.hubs.map((h, i) => open(h, i)));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (const lane of lanes) for (let w = 0; w < o.window; w++) send(lane);
  await new Promise((r) => setTimeout(r, o.seconds * 1000));
  running = false;
  const elapsedMs = performance.now() - t0;
  const ackedInTime = acked;
  const cpu = process.cpuUsage(cpu0);
  // Let what is in flight come back, then close.
  await new Promise((r) => setTimeout(r, 500));
  for (const lane of lanes) lane.socket.destroy();
  const sorted = lat.subarray(0, latN).sort();
  return {
    sent,
    acked: ackedInTime,
    perSec: Math.round(ackedInTime / (elapsedMs / 1000)),
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    seconds: Math.round(elapsedMs) / 1000,
    cpuCores: Math.round(((cpu.user + cpu.system) / 1000 / elapsedMs) * 100) / 100,
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
