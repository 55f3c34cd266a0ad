import type { RunningGateway } from '@forecare/gateway';

/** A metric's value summed over its label sets, read from the gateway's /metrics; fails when the metric is absent. */
export async function metricSum(gw: RunningGateway, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${gw.httpPort}/metrics`)).text();
  const lines = text.split('\n').filter((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  if (lines.length === 0) throw new Error(`${name} is not in /metrics`);
  return lines.reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}
