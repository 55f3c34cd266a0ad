import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { gunzipSync } from 'node:zlib';

export type FieldType = 'float' | 'integer' | 'boolean' | 'string';

export interface StoredPoint {
  readonly series: string;
  readonly ts: number;
  readonly fields: Record<string, { type: FieldType; value: string }>;
}

/** Splits at unescaped `sep` (line protocol escapes with a backslash; quoted strings are kept whole). */
function splitUnescaped(text: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '\\' && i + 1 < text.length) {
      cur += c + (text[i + 1] as string);
      i++;
    } else if (c === '"') {
      quoted = !quoted;
      cur += c;
    } else if (c === sep && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

function typeOf(value: string): FieldType {
  if (/^(t|T|true|True|TRUE|f|F|false|False|FALSE)$/.test(value)) return 'boolean';
  if (/^-?\d+i$/.test(value)) return 'integer';
  if (value.startsWith('"')) return 'string';
  return 'float';
}

/**
 * A real HTTP server that answers `/api/v2/write` as InfluxDB 2 does: line protocol in
 * (gzipped or not), 204 when stored, 400 for a line it cannot parse, and 422 "partial
 * write: field type conflict" when a field arrives with another type than the one the
 * measurement already has — the conflicting points are dropped, the others written. Its
 * `mode` makes it flap: `unavailable` answers 503 and stores nothing, `reset` drops the
 * connection without answering, `answer-lost` stores the points and then drops the
 * connection (the writer cannot know they were kept, and sends them again).
 */
export class InfluxStandIn {
  private server: Server | undefined;
  /** measurement → field → the type it was first written with. */
  readonly fieldTypes = new Map<string, Map<string, FieldType>>();
  /** By series and time: a point written again overwrites itself, as in InfluxDB. */
  readonly points = new Map<string, StoredPoint>();
  mode: 'up' | 'unavailable' | 'reset' | 'answer-lost' = 'up';
  requests = 0;
  readonly statuses: number[] = [];

  get url(): string {
    const a = this.server?.address();
    return `http://127.0.0.1:${typeof a === 'object' && a !== null ? a.port : 0}`;
  }

  /** Declares a field's type as history written before would have (an older gateway, another writer). */
  seedFieldType(measurement: string, field: string, type: FieldType): void {
    const m = this.fieldTypes.get(measurement) ?? new Map<string, FieldType>();
    m.set(field, type);
    this.fieldTypes.set(measurement, m);
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    const s = this.server;
    if (s === undefined) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  /** Stored points of one field, in time order. */
  field(name: string): { series: string; ts: number; type: FieldType; value: string }[] {
    const out: { series: string; ts: number; type: FieldType; value: string }[] = [];
    for (const p of this.points.values()) {
      const f = p.fields[name];
      if (f !== undefined) out.push({ series: p.series, ts: p.ts, ...f });
    }
    return out.sort((a, b) => a.ts - b.ts);
  }

  private answer(res: ServerResponse, status: number, code?: string, message?: string): void {
    this.statuses.push(status);
    if (code === undefined) {
      res.writeHead(status).end();
      return;
    }
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify({ code, message }));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    this.requests++;
    if (req.method !== 'POST' || !(req.url ?? '').startsWith('/api/v2/write')) return this.answer(res, 404, 'not found', 'path not found');
    if (this.mode === 'unavailable') return this.answer(res, 503, 'unavailable', 'service unavailable');
    if (this.mode === 'reset') {
      req.socket.destroy();
      return;
    }
    let body = Buffer.concat(chunks);
    if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
    const lines = body.toString('utf8').split('\n').filter((l) => l.trim() !== '');
    const parsed: StoredPoint[] = [];
    for (const line of lines) {
      const parts = splitUnescaped(line, ' ');
      if (parts.length !== 3 || parts[0] === '' || parts[1] === '') return this.answer(res, 400, 'invalid', `unable to parse '${line}': missing fields`);
      const fields: StoredPoint['fields'] = {};
      for (const f of splitUnescaped(parts[1] as string, ',')) {
        const eq = f.indexOf('=');
        if (eq <= 0) return this.answer(res, 400, 'invalid', `unable to parse '${line}': invalid field format`);
        const value = f.slice(eq + 1);
        fields[f.slice(0, eq)] = { type: typeOf(value), value };
      }
      parsed.push({ series: parts[0] as string, ts: Number(parts[2]), fields });
    }
    const conflicts: string[] = [];
    for (const p of parsed) {
      const measurement = splitUnescaped(p.series, ',')[0] as string;
      const types = this.fieldTypes.get(measurement) ?? new Map<string, FieldType>();
      this.fieldTypes.set(measurement, types);
      const clash = Object.entries(p.fields).find(([k, f]) => types.has(k) && types.get(k) !== f.type);
      if (clash !== undefined) {
        const [k, f] = clash;
        conflicts.push(`field type conflict: input field "${k}" on measurement "${measurement}" is type ${f.type}, already exists as type ${types.get(k) ?? ''}`);
        continue;
      }
      for (const [k, f] of Object.entries(p.fields)) types.set(k, f.type);
      this.points.set(`${p.series} ${p.ts}`, p);
    }
    if (this.mode === 'answer-lost') {
      req.socket.destroy();
      return;
    }
    if (conflicts.length > 0) return this.answer(res, 422, 'unprocessable entity', `failure writing points to database: partial write: ${conflicts[0] ?? ''} dropped=${conflicts.length}`);
    this.answer(res, 204);
  }
}
