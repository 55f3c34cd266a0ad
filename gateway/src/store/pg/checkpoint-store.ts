import { and, eq, inArray, sql } from 'drizzle-orm';
import type { AlarmRec, AppliancePart, EngineChanges, HubPart, RuleWork } from '@forecare/rules';
import { PartitionLeases, type Lease } from '../../cluster/leases.js';
import { GatewayError } from '../../errors.js';
import type { CheckpointData, CheckpointStore } from '../ports/checkpoints.js';
import { partitionCheckpoints, partitionReaders, partitionState } from './schema.js';
import { chunks, type PgDb, type PgStore } from './pg-store.js';

type Kind = 'hub' | 'app' | 'alarm' | 'work' | 'timer';

/** Rows per upsert: 4 parameters each, well under PostgreSQL's 65,535 per statement. */
const ROWS_PER_STATEMENT = 5000;

/**
 * One partition's rule-engine checkpoints on PostgreSQL (cluster mode, issue 22), kept as parts
 * like the SQLite store's: hubs, appliances, alarms, working state and named timers as
 * `partition_state` rows, the wheel, rule version and stream position in the partition's
 * `partition_checkpoints` row, so a checkpoint writes only what changed. There is no earlier
 * whole-snapshot form here: every row is keyed by (hub, appliance).
 *
 * The store is built for one lease of the partition. Every write runs the lease's fence in its
 * own transaction, so a node that lost the partition while paused (a GC, SIGSTOP) and wakes up
 * to save its stale state is refused with StaleLeaseError, and the new owner's checkpoint stays.
 * A new grant makes a new store.
 */
export class PgCheckpointStore implements CheckpointStore {
  constructor(
    private readonly store: PgStore,
    private readonly lease: Lease,
  ) {}

  get partition(): number {
    return this.lease.partition;
  }

  async load(): Promise<CheckpointData | undefined> {
    const p = this.lease.partition;
    // One snapshot for the meta row and the parts: a save committing meanwhile is seen whole or not at all.
    const read = await this.store.transaction(async (tx) => {
      const meta = (await tx.select().from(partitionCheckpoints).where(eq(partitionCheckpoints.partition, p)))[0];
      if (meta === undefined) return undefined;
      const rows = await tx.select({ kind: partitionState.kind, key: partitionState.key, value: partitionState.value }).from(partitionState).where(eq(partitionState.partition, p));
      return { meta, rows };
    }, 'repeatable read');
    if (read === undefined) return undefined;
    try {
      const of = <T>(kind: Kind): [string, T][] => read.rows.filter((r) => r.kind === kind).map((r) => [r.key, JSON.parse(r.value) as T]);
      return {
        pos: read.meta.streamSeq,
        at: read.meta.at,
        parts: {
          version: read.meta.ruleVersion,
          wheel: read.meta.wheel,
          keys: 2,
          hubs: of<HubPart>('hub'),
          appliances: of<AppliancePart>('app'),
          alarms: of<AlarmRec>('alarm').map(([, a]) => a),
          work: of<RuleWork>('work'),
          timers: of<number>('timer'),
        },
      };
    } catch (err) {
      throw new GatewayError('GW_ERR_CHECKPOINT_UNREADABLE', `rule engine checkpoint of partition ${p} unreadable: ${(err as Error).message}`, { cause: err });
    }
  }

  save(c: EngineChanges, pos: number, at: number): Promise<void> {
    const p = this.lease.partition;
    return this.fenced(async (tx) => {
      for (const [kind, list] of [
        ['hub', c.hubs],
        ['app', c.appliances],
        ['alarm', c.alarms],
        ['work', c.work],
        ['timer', c.timers],
      ] as const) {
        const gone: string[] = [];
        const kept: (typeof partitionState.$inferInsert)[] = [];
        for (const [key, value] of list as readonly [string, unknown][]) {
          if (value === null) gone.push(key);
          else kept.push({ partition: p, kind, key, value: JSON.stringify(value) });
        }
        for (const keys of chunks(gone, ROWS_PER_STATEMENT)) await tx.delete(partitionState).where(and(eq(partitionState.partition, p), eq(partitionState.kind, kind), inArray(partitionState.key, keys)));
        for (const rows of chunks(kept, ROWS_PER_STATEMENT)) {
          await tx
            .insert(partitionState)
            .values(rows)
            .onConflictDoUpdate({ target: [partitionState.partition, partitionState.kind, partitionState.key], set: { value: sql`excluded.value` } });
        }
      }
      const meta = { streamSeq: pos, ruleVersion: c.version, wheel: c.wheel, at };
      await tx
        .insert(partitionCheckpoints)
        .values({ partition: p, ...meta })
        .onConflictDoUpdate({ target: partitionCheckpoints.partition, set: meta });
    });
  }

  reset(): Promise<void> {
    const p = this.lease.partition;
    return this.fenced(async (tx) => {
      await tx.delete(partitionState).where(eq(partitionState.partition, p));
      await tx.delete(partitionCheckpoints).where(eq(partitionCheckpoints.partition, p));
    });
  }

  async position(reader: string): Promise<number | undefined> {
    const rows = await this.store.db
      .select({ pos: partitionReaders.pos })
      .from(partitionReaders)
      .where(and(eq(partitionReaders.partition, this.lease.partition), eq(partitionReaders.reader, reader)));
    return rows[0]?.pos;
  }

  savePosition(reader: string, pos: number, at: number): Promise<void> {
    return this.fenced(async (tx) => {
      await tx
        .insert(partitionReaders)
        .values({ partition: this.lease.partition, reader, pos, at })
        .onConflictDoUpdate({ target: [partitionReaders.partition, partitionReaders.reader], set: { pos, at } });
    });
  }

  /** A write in a transaction that first holds the lease row and refuses a token that is no longer the partition's. */
  private fenced(write: (tx: PgDb) => Promise<void>): Promise<void> {
    return this.store.transaction(async (tx, client) => {
      await PartitionLeases.fence(client, this.lease.partition, this.lease.token);
      await write(tx);
    });
  }
}
