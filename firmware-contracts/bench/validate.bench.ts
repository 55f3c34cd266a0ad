/**
 * Throughput of decodeUplink (topic + UTF-8 + JSON.parse + depth + compiled schema + catalog)
 * on a typical telemetry message, against the parse alone of the same bytes in the same run.
 * Target: ratio (parse+validate) / parse ≤ 2.0. Prints one final JSON line.
 */
import { topics } from '../dist/topics.js';
import { decodeUplink } from '../dist/validate.js';

const TOPIC = topics.telemetry('hub-0001', 'fridge-1');
const typical = {
  ts: 1_795_000_000_000,
  seq: 123_456,
  type: 'refrigerator',
  model: 'RF-500',
  metrics: { fridge_temp_c: 4.2, freezer_temp_c: -18.5, compressor_duty: 0.41, compressor_current_a: 1.12, ambient_temp_c: 21.4, door_open: false },
  state: { defrost: false, mode: 'normal' },
};
const batched = {
  ...typical,
  samples: Array.from({ length: 10 }, (_, i) => ({ ts: typical.ts - (10 - i) * 60_000, seq: typical.seq - 10 + i, metrics: typical.metrics })),
};

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });
let sink = 0;

/** Operations per second of `fn` over `durationMs`, in batches to keep clock reads out of the loop. */
function opsPerSec(fn: () => void, durationMs: number): number {
  const batch = 2_000;
  let ops = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(durationMs) * 1_000_000n;
  let now = start;
  while (now < end) {
    for (let i = 0; i < batch; i++) fn();
    ops += batch;
    now = process.hrtime.bigint();
  }
  return ops / (Number(now - start) / 1e9);
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
};

interface Figures {
  bytes: number;
  decode: number;
  parse: number;
  parseString: number;
  /** Median over rounds of (parse ops/s) / (decode ops/s), each round measuring both back to back. */
  ratio: number;
}

/** `topicCount` > 1 cycles through that many distinct appliance topics, beyond the parsed-topic cache. */
function measure(payload: object, topicCount = 1): Figures {
  const bytes = encoder.encode(JSON.stringify(payload));
  const topicList = topicCount === 1 ? [TOPIC] : Array.from({ length: topicCount }, (_, i) => topics.telemetry(`hub-${i % 997}`, `fridge-${i}`));
  let next = 0;
  const text = decoder.decode(bytes);
  const check = decodeUplink(TOPIC, bytes);
  if (!check.ok) throw new Error(`bench message is invalid: ${JSON.stringify(check.errors)}`);
  const decode = () => {
    next = next + 1 === topicList.length ? 0 : next + 1;
    if (decodeUplink(topicList[next] ?? TOPIC, bytes).ok) sink++;
  };
  const parse = () => {
    if ((JSON.parse(decoder.decode(bytes)) as { seq: number }).seq > 0) sink++;
  };
  const parseString = () => {
    if ((JSON.parse(text) as { seq: number }).seq > 0) sink++;
  };
  // Warm up all three so the JIT has compiled each before any round counts.
  for (const fn of [decode, parse, parseString]) opsPerSec(fn, 300);
  const rounds: { decode: number[]; parse: number[]; parseString: number[]; ratio: number[] } = { decode: [], parse: [], parseString: [], ratio: [] };
  for (let r = 0; r < 15; r++) {
    // Paired and alternating, so drift and neighbours' load hit both sides alike.
    const first = r % 2 === 0;
    const a = opsPerSec(first ? decode : parse, 100);
    const b = opsPerSec(first ? parse : decode, 100);
    const [d, p] = first ? [a, b] : [b, a];
    rounds.decode.push(d);
    rounds.parse.push(p);
    rounds.ratio.push(p / d);
    rounds.parseString.push(opsPerSec(parseString, 50));
  }
  return { bytes: bytes.byteLength, decode: median(rounds.decode), parse: median(rounds.parse), parseString: median(rounds.parseString), ratio: median(rounds.ratio) };
}

const single = measure(typical);
const batch = measure(batched);
const distinct = measure(typical, 50_000);
const round = (n: number): number => Math.round(n);
const ratio = (a: number, b: number): number => Math.round((a / b) * 100) / 100;

console.log(`typical telemetry (${single.bytes} B): decodeUplink ${round(single.decode)}/s, utf8+JSON.parse ${round(single.parse)}/s, JSON.parse(string) ${round(single.parseString)}/s`);
console.log(`batched telemetry, 10 samples (${batch.bytes} B): decodeUplink ${round(batch.decode)}/s, utf8+JSON.parse ${round(batch.parse)}/s`);
console.log(`typical telemetry over 50,000 distinct topics (parsed-topic cache missing): decodeUplink ${round(distinct.decode)}/s, utf8+JSON.parse ${round(distinct.parse)}/s`);
console.log(
  JSON.stringify({
    name: 'firmware-contracts decodeUplink, typical telemetry',
    messageBytes: single.bytes,
    validationsPerSec: round(single.decode),
    baselineParsePerSec: round(single.parse),
    baseline: 'TextDecoder + JSON.parse of the same bytes',
    ratio: Math.round(single.ratio * 100) / 100,
    parseStringOnlyPerSec: round(single.parseString),
    ratioVsParseStringOnly: ratio(single.parseString, single.decode),
    batched10: { messageBytes: batch.bytes, validationsPerSec: round(batch.decode), baselineParsePerSec: round(batch.parse), ratio: Math.round(batch.ratio * 100) / 100 },
    distinctTopics50k: { validationsPerSec: round(distinct.decode), baselineParsePerSec: round(distinct.parse), ratio: Math.round(distinct.ratio * 100) / 100 },
    target: 'ratio <= 2.0',
    sink: sink > 0,
  }),
);
