import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** A free TCP port on 127.0.0.1 (VictoriaMetrics needs one named up front). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A real VictoriaMetrics (Debian's package, installed by pretest): an InfluxDB-compatible write endpoint. */
export class Victoria {
  private child: ChildProcess | undefined;

  constructor(
    readonly port: number,
    private readonly dataDir: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.child = spawn('/usr/bin/victoria-metrics', [`-httpListenAddr=127.0.0.1:${this.port}`, `-storageDataPath=${this.dataDir}`, '-retentionPeriod=100y', '-loggerLevel=ERROR'], { stdio: 'ignore' });
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      const ok = await fetch(`${this.url}/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('victoria-metrics did not start');
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    this.child = undefined;
  }

  /** Every stored sample of a series, as [timestamp, value] pairs. */
  async samples(metric: string): Promise<[number, number][]> {
    await fetch(`${this.url}/internal/force_flush`);
    const res = await fetch(`${this.url}/api/v1/export?match[]=${encodeURIComponent(`{__name__="${metric}"}`)}`);
    const text = await res.text();
    const out: [number, number][] = [];
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      const series = JSON.parse(line) as { values: number[]; timestamps: number[] };
      series.timestamps.forEach((t, i) => out.push([t, series.values[i] ?? NaN]));
    }
    return out;
  }
}
