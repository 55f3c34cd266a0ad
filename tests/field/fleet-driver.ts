import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { SimHub, SentMessage } from '@forecare/device-sim';
import { sleep } from '../support/gateway.js';

/** Gives up on a step that waits on a broker that went away; the hub's next reconnect fails its publishes. */
async function within<T>(ms: number, work: Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Drives one simulated hub as firmware does against a gateway that may vanish: it publishes
 * on its interval while connected, connects again (to whatever port the gateway has now)
 * when the connection is gone, and keeps a fault report until the broker acknowledged it.
 */
export class FieldHub {
  private running = true;
  private loop: Promise<void> | undefined;
  private readonly actions: (() => Promise<void>)[] = [];

  constructor(
    readonly sim: SimHub,
    private readonly intervalMs: number,
    /** The gateway's MQTT URL now (it changes with each restart: ports are picked by the OS). */
    private readonly url: () => string,
  ) {}

  start(): void {
    this.loop = this.run();
  }

  /** Runs `action` between two steps of the hub (a reboot, a fault report). */
  schedule(action: () => Promise<void>): void {
    this.actions.push(action);
  }

  /** Reports a fault until the broker acknowledges it (each try is a new message: a new seq). */
  reportFault(applianceId: string, code: string): Promise<void> {
    return new Promise((resolve) => {
      const attempt = async (): Promise<void> => {
        const before = this.sim.acked.length;
        await within(5000, this.sim.injectFault(applianceId, code)).catch(() => undefined);
        if (this.sim.acked.slice(before).some((m) => m.topic.endsWith('/fault'))) resolve();
        else setTimeout(() => this.schedule(attempt), 500); // the connection is gone: try again once the hub is back
      };
      this.schedule(attempt);
    });
  }

  private async run(): Promise<void> {
    while (this.running) {
      if (!this.sim.connected) {
        await within(5000, this.sim.reconnect(this.url())).catch(() => undefined);
        if (!this.sim.connected) {
          await sleep(200);
          continue;
        }
      }
      const action = this.actions.shift();
      await within(5000, action !== undefined ? action() : this.sim.tick()).catch(() => undefined);
      await sleep(this.intervalMs);
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    await within(5000, this.sim.stop()).catch(() => undefined);
  }
}

/** The journal's rows, read from the file the gateway left (also after a SIGKILL). */
export function readJournal(dataDir: string): Set<string> {
  const db = new Database(join(dataDir, 'journal.db'), { readonly: true });
  const rows = db.prepare('SELECT hub_id, appliance_id, kind, seq, device_ts FROM journal').all() as { hub_id: string; appliance_id: string | null; kind: string; seq: number | null; device_ts: number }[];
  db.close();
  return new Set(rows.map((r) => `${r.hub_id}|${r.appliance_id ?? ''}|${r.kind}|${r.seq ?? ''}|${r.device_ts}`));
}

/** The journal key of an acknowledged message, as readJournal writes it. */
export function journalKey(hubId: string, m: SentMessage): string {
  const parts = m.topic.split('/');
  const kind = parts.at(-1) ?? '';
  const applianceId = parts[3] === 'appliances' ? (parts[4] ?? '') : '';
  const seq = typeof m.payload.seq === 'number' ? m.payload.seq : '';
  return `${hubId}|${applianceId}|${kind}|${seq}|${String(m.payload.ts)}`;
}
