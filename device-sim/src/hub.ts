import mqtt, { type MqttClient } from 'mqtt';
import { foodCategories, topics, type ApplianceType, type FoodItem, type NoticePayload } from '@forecare/firmware-contracts';
import { realClock, type SimClock } from './clock.js';
import { RefrigeratorModel, type FridgeMode } from './appliances/refrigerator.js';
import { Household } from './household.js';
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
  /** A household that sends its fridge's inventory once and never again. */
  readonly quietHousehold?: boolean | undefined;
  /** Older firmware reports no W-DOOR-01 / W-TMP-01 of its own (default: newer). */
  readonly firmware?: 'old' | 'new' | undefined;
  /** The model name telemetry carries, by type (default SIM-<type>). */
  readonly models?: Readonly<Partial<Record<ApplianceType, string>>> | undefined;
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

/** One published message, as the simulator sent it (for records and tests), and when (simulated time). */
export interface SentMessage {
  readonly topic: string;
  readonly payload: Record<string, unknown>;
  readonly at: number;
}

/** What a hub away for a while keeps to send when it is back (its readings, faults, inventories). */
interface Backlog {
  readings: Map<string, PendingReading[]>;
  messages: { topic: string; payload: Record<string, unknown> }[];
}

/** Readings a hub keeps per appliance while away (the oldest go first). */
const BACKLOG_READINGS = 120;

const DAY_MS = 86_400_000;

/**
 * A simulated hub: connects with its credentials and the status topic as last will,
 * publishes telemetry of each appliance and heartbeats, and can be told to report a fault,
 * stock expiring food, go silent, drop off the network for a while (keeping what it reads
 * to send when it is back) or reboot. Timed actions (a reconnect two minutes after a drop,
 * the end of a vacation) wait in its agenda: `nextWake` / `wake` let a driver run them at
 * their time, between steps.
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
  private readonly household: Household | undefined;
  /** Appliances whose next reading is lost (the appliance rebooting). */
  private readonly rebooting = new Set<string>();
  private agenda: { at: number; run: () => Promise<void> }[] = [];
  reconnects = 0;
  /** Drops off the network so far (each sends the last will). */
  drops = 0;
  private sinceHeartbeat = 0;
  private silent = false;
  /** Where the broker is; a gateway that restarts may come back on another port. */
  private url: string;
  /** Away for a while: what it reads waits in the backlog. */
  private backlog: Backlog | undefined;
  /** PUBACKs the current step waits for (set while a step runs). */
  private pipeline: Promise<unknown>[] | undefined;

  constructor(private readonly opts: SimOptions) {
    this.clock = opts.clock ?? realClock;
    this.rnd = new Random(opts.seed ?? 1).fork(opts.hubId);
    this.appliances = opts.appliances ?? [
      { id: `${opts.hubId}.fridge`, type: 'refrigerator' },
      { id: `${opts.hubId}.washer`, type: 'washer' },
    ];
    for (const a of this.appliances) {
      const model = modelFor(a.type, this.rnd.fork(a.id));
      if (model instanceof RefrigeratorModel) model.newFirmware = opts.firmware !== 'old';
      this.models.set(a.id, model);
    }
    this.household = opts.household === true ? new Household(this.rnd.fork('household'), { quiet: opts.quietHousehold }) : undefined;
    this.lastStep = this.clock.now();
    this.url = opts.url;
  }

  get hubId(): string {
    return this.opts.hubId;
  }

  get connected(): boolean {
    return this.client?.connected === true;
  }

  /** What the household's fridge holds now (empty without a household). */
  get pantry(): readonly FoodItem[] {
    return this.household?.items ?? [];
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
    if (this.backlog !== undefined) {
      // Away: faults and inventories wait for the way back (heartbeats are not kept).
      if (!topic.endsWith('/heartbeat')) this.backlog.messages.push({ topic, payload });
      return;
    }
    const sink = this.opts.sink;
    if (sink !== undefined) {
      this.sent.push({ topic, payload, at: this.clock.now() });
      sink(topic, JSON.stringify(payload));
      return;
    }
    const client = this.client;
    if (client === undefined) return;
    this.sent.push({ topic, payload, at: this.clock.now() });
    const puback = client.publishAsync(topic, JSON.stringify(payload), { qos: 1, retain }).then(() => {
      this.acked.push({ topic, payload, at: this.clock.now() });
    });
    // Within a step the messages go out back to back (one connection keeps their order) and the step waits for all PUBACKs.
    if (this.pipeline !== undefined) this.pipeline.push(puback);
    else await puback;
  }

  /** Raw bytes on any topic, for bad-input tests. */
  async publishRaw(topic: string, payload: string | Buffer): Promise<void> {
    await this.client?.publishAsync(topic, payload, { qos: 1 });
  }

  /** The hub's own clock (skewed when the network options say so). */
  deviceNow(): number {
    return this.clock.now() + (this.opts.network?.skewMs ?? 0);
  }

  /** Runs `run` at simulated time `at` (by `wake`, or at the first step at or after it). */
  schedule(at: number, run: () => Promise<void> | void): void {
    this.agenda.push({ at: Math.round(at), run: async () => run() });
    this.agenda.sort((a, b) => a.at - b.at);
  }

  /** When the next timed action is due; undefined when none waits. */
  nextWake(): number | undefined {
    return this.agenda[0]?.at;
  }

  /** Runs the timed actions due by now, in time order. */
  async wake(): Promise<void> {
    const now = this.clock.now();
    while (this.agenda.length > 0 && (this.agenda[0]?.at ?? Infinity) <= now) await this.agenda.shift()?.run();
  }

  /** Telemetry with the network's imperfections: batching, redelivery, reordering; kept while away. */
  private async sendTelemetry(a: SimAppliance, reading: PendingReading): Promise<void> {
    if (this.silent) return;
    if (this.backlog !== undefined) {
      const kept = this.backlog.readings.get(a.id) ?? [];
      kept.push(reading);
      this.backlog.readings.set(a.id, kept.slice(-BACKLOG_READINGS));
      return;
    }
    const net = this.opts.network;
    const batch = this.batches.get(a.id) ?? [];
    batch.push(reading);
    if (batch.length < (net?.batch ?? 1)) {
      this.batches.set(a.id, batch);
      return;
    }
    this.batches.delete(a.id);
    const topic = topics.telemetry(this.hubId, a.id);
    const payload = this.telemetryPayload(a, batch);
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

  /** One telemetry message: the newest reading, the earlier ones as its samples. */
  private telemetryPayload(a: SimAppliance, readings: readonly PendingReading[]): Record<string, unknown> {
    const last = readings[readings.length - 1] as PendingReading;
    const earlier = readings.slice(0, -1);
    return { ts: last.ts, seq: last.seq, type: a.type, model: this.opts.models?.[a.type] ?? `SIM-${a.type}`, metrics: last.metrics, state: last.state, ...(earlier.length > 0 ? { samples: earlier } : {}) };
  }

  /** One step of every appliance: a telemetry message each, and a heartbeat when due. Resolves once the broker acknowledged them all. */
  async tick(): Promise<void> {
    await this.wake();
    this.pipeline = [];
    try {
      await this.step();
    } finally {
      const acks = this.pipeline;
      this.pipeline = undefined;
      await Promise.all(acks);
    }
  }

  private async step(): Promise<void> {
    const now = this.clock.now();
    const dt = Math.max(1000, now - this.lastStep);
    this.lastStep = now;
    // Drawn whatever the mode, so a run through a broker and a recorded one take the same turns.
    const flaky = this.rnd.chance(this.opts.network?.reconnectRate ?? 0);
    if (flaky && !this.silent && this.backlog === undefined && (this.client !== undefined || this.opts.sink !== undefined)) {
      // Flaky Wi-Fi: the hub says goodbye (no will) and connects again.
      await this.client?.endAsync(false);
      this.client = undefined;
      this.reconnects++;
      await this.connect();
    }
    for (const a of this.appliances) {
      const model = this.models.get(a.id);
      if (model === undefined) continue;
      const reading = model.step(dt, now);
      if (this.unplugged.has(a.id)) continue;
      if (this.rebooting.delete(a.id)) continue;
      for (const m of this.droppedMetrics.get(a.id) ?? []) delete reading.metrics[m];
      const stuck = this.stuckMetrics.get(a.id);
      for (const [m, value] of stuck ?? []) {
        if (value === undefined) stuck?.set(m, reading.metrics[m]);
        else reading.metrics[m] = value;
      }
      await this.sendTelemetry(a, { ts: this.deviceNow(), seq: this.nextSeq(a.id), metrics: reading.metrics, state: reading.state });
      // The firmware's own codes (newer fridges: a door open over 5 min, a freezer warm for 2 h).
      for (const c of 'codes' in reading ? (reading.codes as { code: string; active: boolean }[]) : []) {
        await this.publish(topics.fault(this.hubId, a.id), { ts: this.deviceNow(), seq: this.nextSeq(a.id), type: a.type, code: c.code, active: c.active });
      }
      if (this.household !== undefined && a.type === 'refrigerator') {
        const { snapshot, shopped } = this.household.step(this.deviceNow());
        if (shopped && model instanceof RefrigeratorModel) model.groceries();
        if (snapshot !== undefined) await this.publish(topics.inventory(this.hubId, a.id), { ts: this.deviceNow(), seq: this.nextSeq(a.id), type: a.type, items: snapshot });
      }
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

  /** The fridge's mode for `hours` (vacation, super-freeze…), then back to normal. */
  setFridgeMode(applianceId: string, mode: FridgeMode, hours: number): void {
    const model = this.models.get(this.require(applianceId).id);
    if (!(model instanceof RefrigeratorModel)) return;
    model.setMode(mode, hours);
    if (mode !== 'normal' && mode !== 'super_freeze') this.schedule(this.clock.now() + hours * 3_600_000, () => model.setMode('normal'));
  }

  /** Someone leaves the fridge door open for `minutes`. */
  leaveDoorOpen(applianceId: string, minutes: number): void {
    const model = this.models.get(this.require(applianceId).id);
    if (model instanceof RefrigeratorModel) model.leaveDoorOpen(minutes);
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
    if (this.opts.will !== false && !this.silent && this.backlog === undefined) this.drops++;
    this.silent = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.loseConnection();
  }

  /**
   * The hub drops off the network for `ms` (Wi-Fi gone, a router restart) and comes back by
   * itself: the broker sends its last will (without a broker, the will is what it sends), it
   * keeps what it reads, and when it is back it sends it all — readings as back-dated
   * samples, faults in order, and its inventory snapshots newest first (an old one arrives
   * last, as a store-and-forward queue flushed in parallel would have it). `reboot`: it
   * restarted instead — its counters start again at 1 and nothing was kept.
   */
  dropOff(ms: number, options: { reboot?: boolean } = {}): void {
    if (this.silent || this.backlog !== undefined) return;
    this.drops++;
    this.loseConnection();
    this.backlog = { readings: new Map(), messages: [] };
    if (options.reboot === true) {
      this.seqs.clear();
      this.batches.clear();
      this.heldBack.clear();
    }
    const reboot = options.reboot === true;
    this.schedule(this.clock.now() + ms, () => this.comeBack(reboot));
  }

  /** One appliance restarts: its counter starts again at 1 and one reading is lost. */
  rebootAppliance(applianceId: string): void {
    const id = this.require(applianceId).id;
    this.seqs.delete(id);
    this.rebooting.add(id);
  }

  private loseConnection(): void {
    const sink = this.opts.sink;
    if (sink !== undefined) {
      // No broker to send the will: it is what the broker would have sent, now.
      if (this.opts.will !== false) {
        const will = { state: 'offline', ts: this.deviceNow() };
        this.sent.push({ topic: topics.status(this.hubId), payload: will, at: this.clock.now() });
        sink(topics.status(this.hubId), JSON.stringify(will));
      }
      return;
    }
    const client = this.client;
    this.client = undefined;
    client?.stream.destroy();
  }

  private async comeBack(reboot: boolean): Promise<void> {
    const kept = this.backlog;
    this.backlog = undefined;
    await this.connect();
    if (kept === undefined || reboot) return;
    const inventories = kept.messages.filter((m) => m.topic.endsWith('/inventory')).reverse();
    for (const m of kept.messages) if (!m.topic.endsWith('/inventory')) await this.publish(m.topic, m.payload);
    for (const a of this.appliances) {
      const readings = kept.readings.get(a.id) ?? [];
      if (readings.length > 0) await this.publish(topics.telemetry(this.hubId, a.id), this.telemetryPayload(a, readings));
    }
    for (const m of inventories) await this.publish(m.topic, m.payload);
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
