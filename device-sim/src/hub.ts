import mqtt, { type MqttClient } from 'mqtt';
import { foodCategories, topics, type ApplianceType, type FoodItem, type NoticePayload } from '@forecare/firmware-contracts';
import { realClock, type SimClock } from './clock.js';
import { modelFor, type ApplianceModel } from './models.js';
import { Random } from './random.js';

export interface SimAppliance {
  readonly id: string;
  readonly type: ApplianceType;
}

export interface SimOptions {
  /** mqtt://host:port of the gateway's broker. */
  readonly url: string;
  readonly hubId: string;
  readonly password: string;
  readonly seed?: number | undefined;
  /** Default: one refrigerator and one washer, ids `${hubId}.fridge` and `${hubId}.washer`. */
  readonly appliances?: readonly SimAppliance[] | undefined;
  readonly clock?: SimClock | undefined;
  /** Simulated ms between telemetry messages (default 60 s). */
  readonly intervalMs?: number | undefined;
  /** Simulated ms between heartbeats (default 60 s). */
  readonly heartbeatMs?: number | undefined;
  /** Connect with the status topic as last will (default true). */
  readonly will?: boolean | undefined;
  /** Instead of a broker: every message goes here (recording to NDJSON, tests). `connect()` then opens nothing. */
  readonly sink?: ((topic: string, payload: string) => void) | undefined;
  /** What real hubs do to their messages: wrong clocks, redeliveries, reordering, reconnects, batching. */
  readonly network?: NetworkImperfections | undefined;
  /** A household that stocks the fridge, eats from it and shops again. */
  readonly household?: boolean | undefined;
}

export interface NetworkImperfections {
  /** The hub's clock is off by this much (ms); `ts` carries it, the gateway's clock does not. */
  readonly skewMs?: number;
  /** Share of messages delivered twice with the same seq (a QoS 1 redelivery). */
  readonly duplicateRate?: number;
  /** Share of telemetry messages held back and delivered after the next one. */
  readonly reorderRate?: number;
  /** Share of ticks on which the hub's Wi-Fi drops and it reconnects. */
  readonly reconnectRate?: number;
  /** Readings per telemetry message: the earlier ones travel as `samples`. */
  readonly batch?: number;
}

interface PendingReading {
  readonly ts: number;
  readonly seq: number;
  readonly metrics: Record<string, number | boolean>;
  readonly state: Record<string, string | boolean>;
}

/** One published message, as the simulator sent it (for records and tests). */
export interface SentMessage {
  readonly topic: string;
  readonly payload: Record<string, unknown>;
}

const DAY_MS = 86_400_000;

/**
 * A simulated hub: connects with its credentials and the status topic as last will,
 * publishes telemetry of each appliance and heartbeats, and can be told to report a fault,
 * stock expiring food, or go silent.
 */
export class SimHub {
  readonly appliances: readonly SimAppliance[];
  readonly notices: NoticePayload[] = [];
  readonly sent: SentMessage[] = [];
  /** Messages the broker acknowledged (PUBACK), in order: what the gateway promised to keep. */
  readonly acked: SentMessage[] = [];
  private client: MqttClient | undefined;
  private readonly models = new Map<string, ApplianceModel>();
  private readonly seqs = new Map<string, number>();
  private readonly clock: SimClock;
  private readonly rnd: Random;
  private timer: NodeJS.Timeout | undefined;
  private lastStep: number;
  /** Appliances unplugged behind the live hub, and metrics whose sensor dropped out. */
  private readonly unplugged = new Set<string>();
  private readonly droppedMetrics = new Map<string, Set<string>>();
  /** Metrics whose sensor is stuck, with the value it is stuck at (taken from the first reading after it stuck). */
  private readonly stuckMetrics = new Map<string, Map<string, number | boolean | undefined>>();
  private readonly batches = new Map<string, PendingReading[]>();
  private readonly heldBack = new Map<string, { topic: string; payload: Record<string, unknown> }>();
  private pantry: FoodItem[] = [];
  private nextShop = 0;
  reconnects = 0;
  private sinceHeartbeat = 0;
  private silent = false;
  /** Where the broker is; a gateway that restarts may come back on another port. */
  private url: string;

  constructor(private readonly opts: SimOptions) {
    this.clock = opts.clock ?? realClock;
    this.rnd = new Random(opts.seed ?? 1).fork(opts.hubId);
    this.appliances = opts.appliances ?? [
      { id: `${opts.hubId}.fridge`, type: 'refrigerator' },
      { id: `${opts.hubId}.washer`, type: 'washer' },
    ];
    for (const a of this.appliances) this.models.set(a.id, modelFor(a.type, this.rnd.fork(a.id)));
    this.lastStep = this.clock.now();
    this.url = opts.url;
  }

  get hubId(): string {
    return this.opts.hubId;
  }

  get connected(): boolean {
    return this.client?.connected === true;
  }

  private nextSeq(subject: string): number {
    const n = (this.seqs.get(subject) ?? 0) + 1;
    this.seqs.set(subject, n);
    return n;
  }

  async connect(): Promise<void> {
    const hubId = this.opts.hubId;
    this.silent = false;
    if (this.opts.sink !== undefined) {
      await this.publish(topics.status(hubId), { state: 'online', ts: this.deviceNow(), firmware: 'sim-1.0' }, true);
      return;
    }
    this.client = await mqtt.connectAsync(this.url, {
      username: hubId,
      password: this.opts.password,
      clientId: `${hubId}-sim`,
      protocolVersion: 4,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      ...(this.opts.will === false ? {} : { will: { topic: topics.status(hubId), payload: Buffer.from(JSON.stringify({ state: 'offline', ts: this.deviceNow() })), qos: 1 as const, retain: true } }),
    });
    this.client.on('message', (topic, payload) => {
      if (topic !== topics.notices(hubId)) return;
      try {
        this.notices.push(JSON.parse(payload.toString()) as NoticePayload);
      } catch {
        // A notice we cannot read is the gateway's bug, not the hub's; ignore it.
      }
    });
    await this.client.subscribeAsync(topics.notices(hubId), { qos: 1 });
    await this.publish(topics.status(hubId), { state: 'online', ts: this.deviceNow(), firmware: 'sim-1.0' }, true);
  }

  async publish(topic: string, payload: Record<string, unknown>, retain = false): Promise<void> {
    if (this.silent) return;
    const sink = this.opts.sink;
    if (sink !== undefined) {
      this.sent.push({ topic, payload });
      sink(topic, JSON.stringify(payload));
      return;
    }
    const client = this.client;
    if (client === undefined) return;
    this.sent.push({ topic, payload });
    await client.publishAsync(topic, JSON.stringify(payload), { qos: 1, retain });
    this.acked.push({ topic, payload });
  }

  /** Raw bytes on any topic, for bad-input tests. */
  async publishRaw(topic: string, payload: string | Buffer): Promise<void> {
    await this.client?.publishAsync(topic, payload, { qos: 1 });
  }

  /** The hub's own clock (skewed when the network options say so). */
  deviceNow(): number {
    return this.clock.now() + (this.opts.network?.skewMs ?? 0);
  }

  /** Telemetry with the network's imperfections: batching, redelivery, reordering. */
  private async sendTelemetry(a: SimAppliance, reading: PendingReading): Promise<void> {
    const net = this.opts.network;
    const batch = this.batches.get(a.id) ?? [];
    batch.push(reading);
    if (batch.length < (net?.batch ?? 1)) {
      this.batches.set(a.id, batch);
      return;
    }
    this.batches.delete(a.id);
    const last = batch[batch.length - 1] as PendingReading;
    const earlier = batch.slice(0, -1);
    const topic = topics.telemetry(this.hubId, a.id);
    const payload = { ts: last.ts, seq: last.seq, type: a.type, model: `SIM-${a.type}`, metrics: last.metrics, state: last.state, ...(earlier.length > 0 ? { samples: earlier } : {}) };
    const held = this.heldBack.get(a.id);
    if (held === undefined && this.rnd.chance(net?.reorderRate ?? 0)) {
      this.heldBack.set(a.id, { topic, payload });
      return;
    }
    await this.publish(topic, payload);
    if (held !== undefined) {
      this.heldBack.delete(a.id);
      await this.publish(held.topic, held.payload);
    }
    if (this.rnd.chance(net?.duplicateRate ?? 0)) await this.publish(topic, payload);
  }

  /** The household: a full fridge at first, a few items eaten every few hours, shopping every three days. */
  private async household(a: SimAppliance): Promise<void> {
    const now = this.deviceNow();
    if (now < this.nextShop && !this.rnd.chance(0.02)) return;
    if (now >= this.nextShop) {
      this.nextShop = now + 3 * 86_400_000;
      const basket = foodCategories.flatMap((c) => (this.rnd.chance(0.6) ? [{ itemId: `${c.category}-${Math.floor(now / 1000)}`, name: c.category.replace(/_/g, ' '), category: c.category, storedAt: now }] : []));
      this.pantry = [...this.pantry, ...basket].slice(-40);
    } else if (this.pantry.length > 0) {
      this.pantry.splice(Math.floor(this.rnd.next() * this.pantry.length), 1);
    }
    await this.publish(topics.inventory(this.hubId, a.id), { ts: now, seq: this.nextSeq(a.id), type: a.type, items: this.pantry });
  }

  /** One step of every appliance: a telemetry message each, and a heartbeat when due. */
  async tick(): Promise<void> {
    const now = this.clock.now();
    const dt = Math.max(1000, now - this.lastStep);
    this.lastStep = now;
    if (this.client !== undefined && !this.silent && this.rnd.chance(this.opts.network?.reconnectRate ?? 0)) {
      // Flaky Wi-Fi: the hub drops off and comes back.
      await this.client.endAsync(false);
      this.client = undefined;
      this.reconnects++;
      await this.connect();
    }
    for (const a of this.appliances) {
      const model = this.models.get(a.id);
      if (model === undefined) continue;
      const reading = model.step(dt, now);
      if (this.unplugged.has(a.id)) continue;
      for (const m of this.droppedMetrics.get(a.id) ?? []) delete reading.metrics[m];
      const stuck = this.stuckMetrics.get(a.id);
      for (const [m, value] of stuck ?? []) {
        if (value === undefined) stuck?.set(m, reading.metrics[m]);
        else reading.metrics[m] = value;
      }
      await this.sendTelemetry(a, { ts: this.deviceNow(), seq: this.nextSeq(a.id), metrics: reading.metrics, state: reading.state });
      if (this.opts.household === true && a.type === 'refrigerator') await this.household(a);
    }
    this.sinceHeartbeat += dt;
    if (this.sinceHeartbeat >= (this.opts.heartbeatMs ?? 60_000)) {
      this.sinceHeartbeat = 0;
      await this.heartbeat();
    }
  }

  async heartbeat(): Promise<void> {
    await this.publish(topics.heartbeat(this.hubId), { ts: this.deviceNow(), seq: this.nextSeq(`hub:${this.hubId}`), appliances: this.appliances.map((a) => a.id) });
  }

  /** Publishes on its own schedule until stop(). */
  start(): void {
    const interval = this.clock.realDelay(this.opts.intervalMs ?? 60_000);
    const loop = (): void => {
      this.tick().then(
        () => {
          if (this.timer !== undefined) this.timer = setTimeout(loop, interval);
        },
        () => {
          if (this.timer !== undefined) this.timer = setTimeout(loop, interval);
        },
      );
    };
    this.timer = setTimeout(loop, 0);
  }

  /** The appliance stops talking (unplugged, its Wi-Fi module dead) while the hub goes on. */
  unplugAppliance(applianceId: string): void {
    this.unplugged.add(this.require(applianceId).id);
  }

  /** One sensor stops reporting: the metric disappears from the appliance's telemetry. */
  dropSensor(applianceId: string, metric: string): void {
    const id = this.require(applianceId).id;
    const set = this.droppedMetrics.get(id) ?? new Set<string>();
    set.add(metric);
    this.droppedMetrics.set(id, set);
  }

  /** One sensor sticks: the metric keeps arriving, always with the value it had when it stuck, whatever the physics does. */
  stickSensor(applianceId: string, metric: string): void {
    const id = this.require(applianceId).id;
    const stuck = this.stuckMetrics.get(id) ?? new Map<string, number | boolean | undefined>();
    stuck.set(metric, undefined);
    this.stuckMetrics.set(id, stuck);
  }

  /** A slow failure without a fault code (a compressor losing efficiency). */
  degrade(applianceId: string, perHour: number): void {
    this.models.get(this.require(applianceId).id)?.degrade?.(perHour);
  }

  async injectFault(applianceId: string, code: string): Promise<void> {
    const a = this.require(applianceId);
    this.models.get(a.id)?.setFault(code);
    await this.publish(topics.fault(this.hubId, a.id), { ts: this.deviceNow(), seq: this.nextSeq(a.id), type: a.type, code, active: true });
  }

  async clearFault(applianceId: string, code: string): Promise<void> {
    const a = this.require(applianceId);
    this.models.get(a.id)?.setFault(undefined);
    await this.publish(topics.fault(this.hubId, a.id), { ts: this.deviceNow(), seq: this.nextSeq(a.id), type: a.type, code, active: false });
  }

  /** Stocks the fridge: the given items, or a basket where some expire within `expiringInDays`. */
  async stockFood(applianceId: string, what: { items?: readonly FoodItem[]; expiringInDays?: number } = {}): Promise<FoodItem[]> {
    const a = this.require(applianceId);
    const now = this.deviceNow();
    const items =
      what.items !== undefined
        ? [...what.items]
        : [
            { itemId: `milk-${now}`, name: 'Milk', category: 'dairy' as const, storedAt: now - 5 * DAY_MS, expiresAt: now + (what.expiringInDays ?? 1) * DAY_MS },
            ...foodCategories.slice(0, 3).map((c, i) => ({ itemId: `item-${i}-${now}`, name: c.category, category: c.category, storedAt: now, expiresAt: now + 20 * DAY_MS })),
          ];
    await this.publish(topics.inventory(this.hubId, a.id), { ts: now, seq: this.nextSeq(a.id), type: a.type, items });
    return items;
  }

  /**
   * The hub goes away as if unplugged: the socket drops without a DISCONNECT, so the broker
   * sends the last will when the hub connected with one; without one, nothing more is heard
   * and the gateway's timer must notice.
   */
  goSilent(): void {
    this.silent = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const client = this.client;
    if (client === undefined) return;
    client.stream.destroy();
  }

  /**
   * The hub restarts: its connection ends (with a DISCONNECT when `graceful`, as firmware
   * does before a planned restart; dropped otherwise, so the broker sends the last will),
   * every counter starts again at 1 — new messages reuse seqs the gateway has seen, with new
   * content — and it connects anew.
   */
  async reboot(graceful = true): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client !== undefined) {
      if (graceful) await client.endAsync(false);
      else {
        client.stream.destroy();
        await client.endAsync(true);
      }
    }
    this.seqs.clear();
    this.batches.clear();
    this.heldBack.clear();
    await this.connect();
  }

  /**
   * After the broker went away (a gateway restart): the dead connection's unacknowledged
   * publishes fail, and the hub connects again (to `url` when the broker moved).
   */
  async reconnect(url?: string): Promise<void> {
    if (url !== undefined) this.url = url;
    const client = this.client;
    this.client = undefined;
    if (client !== undefined) await client.endAsync(true);
    await this.connect();
  }

  private require(applianceId: string): SimAppliance {
    const a = this.appliances.find((x) => x.id === applianceId || x.type === applianceId);
    if (a === undefined) throw new Error(`hub ${this.hubId} has no appliance ${applianceId}`);
    return a;
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const client = this.client;
    this.client = undefined;
    // A clean goodbye (DISCONNECT): stopping the simulator is not a hub going offline. An
    // unplugged hub has no connection left to say it on (waiting for its in-flight messages would never end).
    if (client !== undefined) await client.endAsync(this.silent);
  }
}
