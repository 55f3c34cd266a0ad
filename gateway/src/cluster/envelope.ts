/**
 * Many hub messages in one JetStream message. A publish and its acknowledgement cost a round
 * trip each; at fleet rates one per MQTT message would make JetStream the bottleneck (measured
 * here: ~7,000 single publishes/s against ~20,000 needed), so every message of one partition
 * that arrived in one event-loop turn travels together. Layout, all integers big-endian:
 *
 *   u32 count, then per message: u16 topic length, topic (UTF-8), f64 received-at (server ms),
 *   u32 payload length, payload bytes.
 */
export interface EnvelopeEntry {
  readonly topic: string;
  readonly receivedAt: number;
  readonly payload: Buffer;
}

export function encodeEnvelope(entries: readonly EnvelopeEntry[]): Buffer {
  let size = 4;
  const topics: Buffer[] = [];
  for (const e of entries) {
    const t = Buffer.from(e.topic, 'utf8');
    topics.push(t);
    size += 2 + t.length + 8 + 4 + e.payload.length;
  }
  const out = Buffer.allocUnsafe(size);
  let o = out.writeUInt32BE(entries.length, 0);
  entries.forEach((e, i) => {
    const t = topics[i] as Buffer;
    o = out.writeUInt16BE(t.length, o);
    o += t.copy(out, o);
    o = out.writeDoubleBE(e.receivedAt, o);
    o = out.writeUInt32BE(e.payload.length, o);
    o += e.payload.copy(out, o);
  });
  return out;
}

/** The entries of an envelope; a truncated or malformed one throws (it was never written by us). */
export function decodeEnvelope(data: Uint8Array): EnvelopeEntry[] {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const need = (o: number, n: number): void => {
    if (o + n > buf.length) throw new RangeError(`envelope truncated at byte ${o}`);
  };
  need(0, 4);
  const count = buf.readUInt32BE(0);
  const out: EnvelopeEntry[] = [];
  let o = 4;
  for (let i = 0; i < count; i++) {
    need(o, 2);
    const tl = buf.readUInt16BE(o);
    o += 2;
    need(o, tl + 12);
    const topic = buf.toString('utf8', o, o + tl);
    o += tl;
    const receivedAt = buf.readDoubleBE(o);
    o += 8;
    const pl = buf.readUInt32BE(o);
    o += 4;
    need(o, pl);
    out.push({ topic, receivedAt, payload: buf.subarray(o, o + pl) });
    o += pl;
  }
  if (o !== buf.length) throw new RangeError(`envelope has ${buf.length - o} bytes past its last entry`);
  return out;
}
