import { InfluxDB, Point, type WriteApi } from '@influxdata/influxdb-client';
import type { UplinkMessage } from '@forecare/firmware-contracts';
import { messageOfRow } from '../engine/rule-runner.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Store } from '../store/db.js';
import { fieldValue } from './field-types.js';

export interface InfluxOptions {
  readonly url: string;
  readonly token: string;
  readonly org: string;
  readonly bucket: string;
  /** Lines per write request. */
  readonly batchLines: number;
}

const CHECKPOINT = 'influx';
export const MEASUREMENT = 'appliance_telemetry';

/** A tag value as Point needs it: a trailing backslash would escape the separator after it (model is free text from firmware). */
const tagValue = (v: string): string => v.replace(/\\+$/, '');

/**
 * InfluxDB line protocol for one telemetry message, one line per sample, tags hub_id,
 * appliance_id, type, model; written by the client library's Point (escaping, field
 * formats), each field with its one type from the catalog (field-types.ts).
 */
export function linesOf(m: Extract<UplinkMessage, { kind: 'telemetry' }>): string[] {
  const p = m.payload;
  const line = (metrics: Readonly<Record<string, number | boolean>>, ts: number): string | undefined => {
    // Point leaves out an empty tag (a model of '' or only backslashes).
    const point = new Point(MEASUREMENT).tag('hub_id', m.hubId).tag('appliance_id', m.applianceId).tag('type', p.type).tag('model', tagValue(p.model ?? ''));
    for (const name in metrics) {
      const value = fieldValue(name, metrics[name] ?? Number.NaN);
      if (typeof value === 'boolean') point.booleanField(name, value);
      else if (value !== undefined) point.floatField(name, value);
    }
    // Always the device time: without one Point would stamp the client's clock. undefined when no field is left.
    return point.timestamp(ts).toLineProtocol();
  };
  const out: string[] = [];
  for (const s of p.samples ?? []) {
    const l = line(s.metrics, s.ts);
    if (l !== undefined) out.push(l);
  }
  const l = line(p.metrics, p.ts);
  if (l !== undefined) out.push(l);
  return out;
}

/**
 * Telemetry history in an InfluxDB-compatible store. The journal is the disk spool: the
 * sink keeps its own position in it (a checkpoint) and advances only after the store has
 * acknowledged a batch, so an outage of any length loses nothing and never blocks ingest —
 * the sink just falls behind and catches up. The client's own retry buffer, which drops
 * the oldest lines when full, is switched off.
 */
export class InfluxSink {
  private readonly client: InfluxDB;
  private pos: number;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private stopped = true;
  private failingSince: number | undefined;
  private delayMs = 0;
  private idle: Promise<void> = Promise.resolve();
  private readonly select;
  private readonly lastPos;

  constructor(
    private readonly store: Store,
    private readonly options: InfluxOptions,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {
    this.client = new InfluxDB({ url: options.url, token: options.token, timeout: 10_000 });
    const row = store.sqlite.prepare('SELECT pos FROM checkpoints WHERE name = ?').get(CHECKPOINT) as { pos: number } | undefined;
    // A new sink starts at the journal's end: history begins when it is configured.
    this.lastPos = store.journal.prepare('SELECT coalesce(max(pos), 0) AS pos FROM journal');
    this.pos = row?.pos ?? (this.lastPos.get() as { pos: number }).pos;
    this.select = store.journal.prepare("SELECT pos, kind, hub_id, appliance_id, payload FROM journal WHERE pos > ? AND kind = 'telemetry' ORDER BY pos LIMIT ?");
  }

  get position(): number {
    return this.pos;
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** New journal entries are waiting. */
  kick(): void {
    if (!this.stopped && !this.running && this.delayMs === 0) this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.run(), ms);
  }

  private run(): void {
    this.timer = undefined;
    if (this.running || this.stopped) return;
    this.running = true;
    this.idle = this.drain().finally(() => {
      this.running = false;
      const lag = (this.lastPos.get() as { pos: number }).pos - this.pos;
      this.metrics.influxLag.set(Math.max(0, lag));
      this.schedule(this.delayMs > 0 ? this.delayMs : 1000);
    });
  }

  private async drain(): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      const rows = this.select.all(this.pos, this.options.batchLines) as { pos: number; kind: string; hub_id: string; appliance_id: string | null; payload: Buffer }[];
      if (rows.length === 0) return;
      const lines = rows.flatMap((r) => {
        const m = messageOfRow(r);
        return m.kind === 'telemetry' ? linesOf(m) : [];
      });
      const last = rows.at(-1)?.pos ?? this.pos;
      try {
        await this.write(lines);
      } catch (err) {
        if (this.failingSince === undefined) {
          this.failingSince = Date.now();
          this.logger.warn({ err: (err as Error).message, url: this.options.url }, 'telemetry store unreachable; history waits in the journal');
        }
        this.metrics.influxWriteFailures.inc();
        this.delayMs = Math.min(30_000, Math.max(500, this.delayMs * 2));
        return;
      }
      if (this.failingSince !== undefined) {
        this.logger.info({ downMs: Date.now() - this.failingSince }, 'telemetry store reachable again; catching up');
        this.failingSince = undefined;
      }
      this.delayMs = 0;
      this.pos = last;
      this.metrics.influxWrittenLines.inc(lines.length);
      this.store.sqlite
        .prepare('INSERT INTO checkpoints (name, pos, at) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET pos = excluded.pos, at = excluded.at')
        .run(CHECKPOINT, this.pos, Date.now());
    }
  }

  private async write(lines: string[]): Promise<void> {
    if (lines.length === 0) return;
    let failure: Error | undefined;
    const api: WriteApi = this.client.getWriteApi(this.options.org, this.options.bucket, 'ms', {
      batchSize: lines.length + 1,
      flushInterval: 0,
      maxRetries: 0,
      maxBufferLines: lines.length + 1,
      writeFailed: (error: Error) => {
        failure = error;
        return Promise.resolve();
      },
    });
    api.writeRecords(lines);
    await api.close();
    if (failure !== undefined) throw failure;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    await this.idle;
  }
}
