import { HttpError, InfluxDB, Point, type WriteApi } from '@influxdata/influxdb-client';
import { topics, type UplinkMessage } from '@forecare/firmware-contracts';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/metrics.js';
import type { CheckpointStore } from '../store/ports/checkpoints.js';
import type { DeadLetter } from '../store/ports/dead-letters.js';
import type { JournalStore } from '../store/ports/journal.js';
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

/** One line of history and whose it is (for the dead letter when the store refuses it). */
interface HistoryLine {
  readonly text: string;
  readonly hubId: string;
  readonly applianceId: string;
}

interface RefusedLine extends HistoryLine {
  readonly status: number;
  readonly reason: string;
}

/** Keeps a refused line as a dead letter (the journal owns that table); rejects when it could not. */
export type HistoryDeadLetters = (letter: DeadLetter) => Promise<void>;

/**
 * 4xx answers that judge the request rather than its lines — credentials (401, 403), a
 * wrong org or bucket (404), a timeout (408), throttling (429) — are the store's or the
 * settings' trouble: the lines are kept and sent again, as in an outage, instead of
 * dead-lettering all of history. Any other 4xx (400 unparsable, 413 too large, 422 type
 * conflict) refuses lines: the batch is split until the refused ones are alone.
 */
const NOT_ABOUT_THE_LINES = new Set([401, 403, 404, 408, 429]);

/** The status of an answer that refuses lines, or undefined for an outage. */
function refusalOf(err: unknown): number | undefined {
  if (!(err instanceof HttpError)) return undefined;
  const status = err.statusCode;
  return status >= 400 && status < 500 && !NOT_ABOUT_THE_LINES.has(status) ? status : undefined;
}

/** The store's own words: InfluxDB answers `{"code","message"}`. */
function reasonOf(err: unknown): string {
  const json: unknown = err instanceof HttpError ? err.json : undefined;
  const message = typeof json === 'object' && json !== null && 'message' in json && typeof json.message === 'string' ? json.message : (err as Error).message;
  return message.slice(0, 2000);
}

/**
 * Telemetry history in an InfluxDB-compatible store. The journal is the disk spool: the
 * sink keeps its own position in it (a checkpoint) and advances only after the store has
 * acknowledged a batch, so an outage of any length loses nothing and never blocks ingest —
 * the sink just falls behind and catches up. The client's own retry buffer, which drops
 * the oldest lines when full, is switched off. Only outages (5xx, connection errors,
 * timeouts) are retried: a line the store refuses (a 4xx about the lines) is split out of
 * its batch, dead-lettered with the store's reason and counted, and history goes on.
 */
export class InfluxSink {
  private readonly client: InfluxDB;
  private pos = 0;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private stopped = true;
  private failingSince: number | undefined;
  private delayMs = 0;
  private idle: Promise<void> = Promise.resolve();

  constructor(
    private readonly journal: JournalStore,
    private readonly checkpoints: CheckpointStore,
    private readonly options: InfluxOptions,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
    private readonly deadLetter: HistoryDeadLetters,
  ) {
    this.client = new InfluxDB({ url: options.url, token: options.token, timeout: 10_000 });
  }

  get position(): number {
    return this.pos;
  }

  async start(): Promise<void> {
    // A new sink starts at the journal's end: history begins when it is configured.
    this.pos = (await this.checkpoints.position(CHECKPOINT)) ?? (await this.journal.maxPosition());
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
    this.idle = this.drain()
      .then(async () => this.metrics.influxLag.set(Math.max(0, (await this.journal.maxPosition()) - this.pos)))
      .catch((err: unknown) => this.logger.error({ err }, 'telemetry history not read from the journal; tried again'))
      .finally(() => {
        this.running = false;
        this.schedule(this.delayMs > 0 ? this.delayMs : 1000);
      });
  }

  private async drain(): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      // Read up to the journal's end as it is now: once no telemetry row is left before it, the
      // position moves to the end, past the other kinds too (else the lag never reads 0).
      const end = await this.journal.maxPosition();
      const { entries, through } = await this.journal.after(this.pos, end, this.options.batchLines, 'telemetry');
      if (through === this.pos) {
        if (end > this.pos) await this.advance(end, 0);
        return;
      }
      const lines: HistoryLine[] = [];
      for (const { message: m } of entries) {
        if (m.kind === 'telemetry') for (const text of linesOf(m)) lines.push({ text, hubId: m.hubId, applianceId: m.applianceId });
      }
      // Rows of other kinds after `through` are passed by the next read, which finds no telemetry and moves to the end.
      const last = through;
      let refused: RefusedLine[];
      try {
        refused = await this.deliver(lines);
        await this.keepRefused(refused);
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
      await this.advance(last, lines.length - refused.length);
    }
  }

  /** The store has everything up to `pos`: the checkpoint moves there. */
  private async advance(pos: number, written: number): Promise<void> {
    this.pos = pos;
    this.metrics.influxWrittenLines.inc(written);
    await this.checkpoints.savePosition(CHECKPOINT, pos, Date.now());
  }

  /**
   * Writes the lines; when the store refuses some, halves the batch until each refused line
   * is alone (a few requests per bad line: log2 of the batch). Lines written in a refused
   * request are sent again, which the store takes as the same points. Throws on an outage.
   */
  private async deliver(lines: readonly HistoryLine[]): Promise<RefusedLine[]> {
    if (lines.length === 0) return [];
    try {
      await this.write(lines.map((l) => l.text));
      return [];
    } catch (err) {
      const status = refusalOf(err);
      if (status === undefined || this.stopped) throw err;
      if (lines.length === 1) return [{ ...(lines[0] as HistoryLine), status, reason: reasonOf(err) }];
      const half = lines.length >>> 1;
      const first = await this.deliver(lines.slice(0, half));
      return first.concat(await this.deliver(lines.slice(half)));
    }
  }

  /** Dead-letters refused lines with the store's reason, counted and logged; the checkpoint moves past them only after. */
  private async keepRefused(refused: readonly RefusedLine[]): Promise<void> {
    for (const r of refused) {
      await this.deadLetter({
        hubId: r.hubId,
        clientId: null,
        topic: topics.telemetry(r.hubId, r.applianceId),
        reason: 'history-rejected',
        errors: [{ pointer: '', message: `telemetry store answered ${r.status}: ${r.reason}` }],
        payload: Buffer.from(r.text),
      });
      this.metrics.influxRejectedLines.inc();
      this.metrics.deadLetters.inc({ reason: 'history-rejected' });
      this.logger.warn({ hubId: r.hubId, applianceId: r.applianceId, status: r.status, reason: r.reason }, 'telemetry line refused by the store: dead-lettered');
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
