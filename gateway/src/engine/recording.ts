/**
 * Recordings: what hubs sent, one message a line — `{"topic", "payload", "at"}`, the payload
 * as its JSON text or as base64 bytes, `at` the time it was received (epoch ms). The format
 * `forecare-sim record` writes and a capture of real hubs gives; backtests read it as a
 * stream, so a recording of any size costs a line's memory, not the file's.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

export interface RecordedMessage {
  readonly topic: string;
  readonly payload: Buffer;
  /** When it was received, epoch ms. */
  readonly at: number;
}

/** A line that is not a recorded message (it is reported, and the rest goes on). */
export interface RecordingProblem {
  readonly line: number;
  readonly problem: string;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** One recording line, for writers (the simulator, a capture). */
export function recordingLine(topic: string, payload: string | Buffer, at: number): string {
  const text = typeof payload === 'string' ? payload : payload.toString('utf8');
  // Bytes that are not valid UTF-8 travel as base64, so they come back exactly.
  const exact = typeof payload === 'string' || Buffer.from(text, 'utf8').equals(payload);
  return JSON.stringify({ topic, payload: exact ? text : payload.toString('base64'), at });
}

/** The payload of a line: JSON text (an object or array starts with `{` or `[`), base64 bytes, or a JSON value written inline. */
function payloadOf(value: unknown): Buffer | undefined {
  if (typeof value === 'string') {
    const head = value.trimStart()[0];
    if (head === '{' || head === '[' || !BASE64.test(value)) return Buffer.from(value, 'utf8');
    return Buffer.from(value, 'base64');
  }
  if (typeof value === 'object' && value !== null) return Buffer.from(JSON.stringify(value), 'utf8');
  return undefined;
}

/** Parses one line; a problem (not a message) when it is not one. */
export function parseRecordingLine(text: string, line: number): RecordedMessage | RecordingProblem {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    return { line, problem: `not JSON: ${(err as Error).message}` };
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { line, problem: 'not an object {topic, payload, at}' };
  const r = v as { topic?: unknown; payload?: unknown; at?: unknown };
  if (typeof r.topic !== 'string') return { line, problem: 'topic is not a string' };
  if (typeof r.at !== 'number' || !Number.isFinite(r.at) || r.at < 0) return { line, problem: 'at is not a time (epoch ms)' };
  const payload = payloadOf(r.payload);
  if (payload === undefined) return { line, problem: 'payload is neither JSON text nor base64' };
  return { topic: r.topic, payload, at: r.at };
}

export const isProblem = (r: RecordedMessage | RecordingProblem): r is RecordingProblem => 'problem' in r;

/**
 * The messages of a recording file, streamed line by line. `onBytes` is told how far into
 * the file the reading is (for a progress bar).
 */
export async function* readRecording(file: string, onBytes?: (bytes: number) => void): AsyncGenerator<RecordedMessage | RecordingProblem> {
  const stream = createReadStream(file, { highWaterMark: 1 << 20 });
  if (onBytes !== undefined) stream.on('data', () => onBytes(stream.bytesRead));
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let n = 0;
  for await (const text of lines) {
    n++;
    if (text.trim() === '') continue;
    yield parseRecordingLine(text, n);
  }
}
