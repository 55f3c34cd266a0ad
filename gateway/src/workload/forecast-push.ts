import type { Clock } from '../clock.js';
import { signatureHeader } from '../contact-center/signing.js';
import { LocalClock } from '../forecast/local-time.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/metrics.js';
import { exportKeys, wfmRows } from './wfm-export.js';
import type { WorkloadForecaster } from './workload-forecaster.js';

/**
 * The optional daily push of the contact center's forecast (hourly, per queue) to its API,
 * signed like contact tasks (Standard Webhooks) with an Idempotency-Key of the day, so a
 * retried push is recognised. Once a day after the configured local hour; a failed push is
 * tried again at the next check.
 */
export interface PushOptions {
  readonly url: string;
  readonly hour: number;
  readonly secrets: readonly string[];
  readonly timeoutMs: number;
  /** How often the push checks whether today's forecast is due. */
  readonly everyMs: number;
}

export class ForecastPush {
  private timer: NodeJS.Timeout | undefined;
  private pushedFor: string | undefined;
  private running: Promise<void> | undefined;
  private readonly local: LocalClock;

  constructor(
    private readonly forecaster: WorkloadForecaster,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
    private readonly options: PushOptions,
  ) {
    this.local = new LocalClock(forecaster.options.timeZone);
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.options.everyMs);
    this.timer.unref();
    void this.tick();
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Pushes today's forecast when it is due and not yet delivered; resolves when that attempt is over. */
  tick(): Promise<void> {
    const { date, hour } = this.local.local(this.clock.now());
    if (this.running !== undefined || this.pushedFor === date || hour < this.options.hour) return this.running ?? Promise.resolve();
    this.running = this.push(date).finally(() => (this.running = undefined));
    return this.running;
  }

  private async push(date: string): Promise<void> {
    try {
      const report = await this.forecaster.forecastKeys(`push|${date}`, (h) => exportKeys('contact_center', h));
      if (report.series.length === 0) throw new Error('no contact history to forecast from yet');
      const body = JSON.stringify({
        type: 'forecast.daily',
        timestamp: new Date(this.clock.now()).toISOString(),
        data: { date, timeZone: report.timeZone, generatedAt: report.generatedAt, weather: report.weather.status, intervals: wfmRows(report, 'hourly') },
      });
      const id = `forecast-${date}`;
      const ts = Math.floor(this.clock.now() / 1000);
      const res = await fetch(this.options.url, {
        method: 'POST',
        signal: AbortSignal.timeout(this.options.timeoutMs),
        headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': signatureHeader(this.options.secrets, id, ts, body), 'idempotency-key': id },
        body,
      });
      await res.body?.cancel();
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      this.pushedFor = date;
      this.metrics.forecastPushes.inc({ result: 'delivered' });
      this.logger.info({ date, series: report.series.length }, 'daily forecast pushed to the contact center');
    } catch (err) {
      this.metrics.forecastPushes.inc({ result: 'failed' });
      this.logger.warn({ date, err: err instanceof Error ? err.message : String(err) }, 'daily forecast push failed; trying again at the next check');
    }
  }
}
