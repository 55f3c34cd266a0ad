import { createServer, type Server, type Server as NetServer, type Socket } from 'node:net';
import type { Server as HttpServer } from 'node:http';
import type { Server as TlsServer } from 'node:tls';
import type { WebSocketServer } from 'ws';
import { Aedes, type AuthenticateError, type Client, type ConnectPacket, type PublishPacket, type Subscription } from 'aedes';
import { hubIdOfTopic, topics, type NoticePayload } from '@forecare/firmware-contracts';
import type { GatewayConfig } from '../config/config.js';
import type { HubRegistry } from '../hubs/hub-registry.js';
import { MQTT_CLIENT_ROLES, type MqttClientRegistry } from '../hubs/mqtt-client-registry.js';
import type { Ingest } from '../ingest/ingest.js';

/** What the broker hands every authorized PUBLISH to: the gateway's Ingest, or a bench's stand-in. */
export type IngestPort = Pick<Ingest, 'accept'>;
import type { BrokerFabric } from '../cluster/broker-fabric.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/metrics.js';
import { Authenticator, ConnackCode, refusal } from './authenticate.js';
import { ClientIdOwners } from './client-ids.js';
import { isCleanMqttString } from './hygiene.js';
import { hubIdentity, maySubscribe, type ClientIdentity, type ClientRole } from './identity.js';
import { listen } from './listen.js';
import { createTlsListener, createWsListener, type TlsFiles } from './listeners.js';
import { LoginLimiter, loginLimits } from './login-limiter.js';

/** The limits among the MQTT settings (each documented in config/settings.ts). */
export type BrokerLimits = Omit<GatewayConfig['mqtt'], 'tlsPort' | 'wsPort' | 'tls'>;

/** The parts of aedes' per-connection client we guard (not in its public types). */
interface ClientInternals {
  readonly conn: { destroy(): void; once(event: 'close', listener: () => void): unknown; destroyed?: boolean; remoteAddress?: string; authorized?: boolean; getPeerCertificate?: () => { subject?: { CN?: string | string[] } } };
  readonly _parser: { packet: { length: number }; _parseLength: () => boolean };
}

export interface ExtraListeners {
  readonly tlsPort: number | undefined;
  readonly wsPort: number | undefined;
  readonly tls: TlsFiles;
}

/**
 * The MQTT side: aedes with our hooks. Hubs authenticate with username = hub id and their
 * provisioned password (or a client certificate) and may publish and subscribe only under
 * `forecare/v1/{hubId}/`; service and admin accounts (`{role}:{name}`) only subscribe.
 */
export class Broker {
  private aedes: Aedes | undefined;
  private server: Server | undefined;
  private readonly identities = new WeakMap<Client, ClientIdentity>();
  private readonly connects = new WeakMap<Client, ConnectPacket>();
  /** Clients whose protocol version aedes is about to refuse. */
  private readonly protocolRefused = new WeakSet<Client>();
  /** Payloads ingest refused: never forwarded to service or admin subscribers. */
  private readonly refusedPayloads = new WeakSet<Buffer>();
  /** Connections past CONNACK whose socket is still open: counted by the socket's own close (aedes can announce a client ready after reporting its disconnect). */
  private readonly live = new Set<Client>();
  /** Revocations and rotations so far, and the count at which each (role, name) last changed. */
  private credentialChanges = 0;
  private readonly changedAt = new Map<string, number>();
  /** `credentialChanges` when each connect's check began. */
  private readonly checkedAt = new WeakMap<Client, number>();
  private readonly extra: (NetServer | TlsServer | HttpServer)[] = [];
  private wss: WebSocketServer | undefined;
  private clientCa = false;
  private readonly authenticator: Authenticator;
  private readonly clientIds = new ClientIdOwners();
  private stopped: Promise<void> | undefined;
  private stopping = false;
  /** Sockets of the TCP and TLS listeners, so the last ones (a client that never sent CONNECT) are closed on stop. */
  private readonly sockets = new Set<Socket>();

  constructor(
    hubs: HubRegistry,
    clients: MqttClientRegistry,
    /** Where every authorized publish goes; its answer decides the PUBACK. */
    private readonly ingest: IngestPort,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
    private readonly limits: BrokerLimits,
    now: () => number = Date.now,
    /** Several gateway nodes: the Redis fabric that joins their brokers (cluster/broker-fabric.ts). One node: in memory. */
    private readonly fabric?: BrokerFabric,
  ) {
    const limiter = new LoginLimiter(loginLimits(limits.loginFailuresPerMinute));
    this.authenticator = new Authenticator(hubs, clients, limiter, metrics, limits, now);
  }

  async start(host: string, port: number): Promise<number> {
    const fabric = this.fabric;
    fabric?.onCredentialChange((role, name) => this.disconnectHere(role, name));
    const aedes = await Aedes.createBroker({
      id: fabric?.brokerId ?? 'forecare',
      ...(fabric !== undefined ? { mq: fabric.mq as never, persistence: fabric.persistence as never } : {}),
      connectTimeout: 10_000,
      // Applies to MQTT 3.1 only; 3.1.1 client ids are checked in authenticate.
      maxClientsIdLength: this.limits.maxClientIdLength,
      maxTopicLevels: this.limits.maxTopicLevels,
      // QoS 2 publishes awaiting PUBREL; QoS 1 ones awaiting the journal are counted in authorizePublish.
      maxInflightInbound: this.limits.maxInflight,
      // Checked in authenticate instead: aedes refuses with CONNACK 6, reserved in MQTT 3.1.1.
      keepaliveLimit: 0,
      preConnect: (client, packet, cb) => {
        if (packet.protocolVersion !== 3 && packet.protocolVersion !== 4) this.noteUnsupportedProtocol(client, packet);
        this.connects.set(client, packet);
        cb(null, true);
      },
      authenticate: (client, username, password, done) => this.authenticate(client, username, password, done),
      authorizePublish: (client, packet, cb) => this.authorizePublish(client, packet, cb),
      authorizeSubscribe: (client, sub, cb) => this.authorizeSubscribe(client, sub, cb),
      authorizeForward: (_client, packet) => (this.refusedPayloads.has(packet.payload as Buffer) ? null : packet),
    });
    // Registered, CONNACK not yet written: a credential changed since its check began closes it before it is told yes.
    aedes.on('client', (client) => {
      if (this.credentialsChangedSince(client)) this.closeStale(client);
    });
    aedes.on('clientReady', (client) => this.track(client));
    aedes.on('clientDisconnect', (client) => {
      const identity = this.identities.get(client);
      this.logger.info({ clientId: client.id, role: identity?.role, hubId: identity?.role === 'hub' ? identity.name : undefined }, 'mqtt client disconnected');
    });
    aedes.on('unsubscribe', (filters, client) => {
      const mine = this.identities.get(client)?.subscriptions;
      if (mine !== undefined) for (const f of filters) mine.delete(f);
    });
    aedes.on('keepaliveTimeout', (client) => {
      this.metrics.disconnects.inc({ reason: 'keepalive-timeout' });
      this.logger.warn({ clientId: client.id, hubId: this.identities.get(client)?.name }, 'mqtt client silent past 1.5 x keepalive: disconnected');
    });
    aedes.on('clientError', (client, err) => {
      this.logger.warn({ clientId: client.id, err: err.message }, 'mqtt client error');
    });
    aedes.on('connectionError', (client, err) => {
      if (this.protocolRefused.has(client)) return; // said and counted in noteUnsupportedProtocol
      this.metrics.rejects.inc({ reason: 'protocol' });
      this.logger.warn({ clientId: client.id, err: err.message }, 'mqtt connection error');
    });
    // Every role's series from the start, so "hubs connected" reads 0 rather than no data.
    for (const role of ['hub', ...MQTT_CLIENT_ROLES]) this.metrics.mqttConnections.set({ role }, 0);
    this.aedes = aedes;
    this.server = createServer((socket) => this.guard(aedes.handle(socket) as unknown as ClientInternals));
    trackSockets(this.server, this.sockets);
    return listen(this.server, host, port, 'FORECARE_MQTT_PORT');
  }

  /**
   * aedes refuses any protocol but MQTT 3.1 and 3.1.1 itself, with CONNACK 1 [MQTT-3.1.2-2], before
   * our authenticate hook could, and then reports a bare connection error. Say once who tried,
   * from where and what to do instead, and count it as a refused connect.
   */
  private noteUnsupportedProtocol(client: Client, packet: ConnectPacket): void {
    this.protocolRefused.add(client);
    this.metrics.mqttConnectRefused.inc({ reason: String(ConnackCode.UnacceptableProtocol) });
    const remoteAddress = (client as unknown as ClientInternals).conn.remoteAddress;
    this.logger.warn(
      { username: packet.username?.slice(0, 128), clientId: packet.clientId.slice(0, 128), remoteAddress, protocolVersion: packet.protocolVersion, returnCode: ConnackCode.UnacceptableProtocol },
      `mqtt connect refused: MQTT ${packet.protocolVersion === 5 ? '5' : `protocol level ${packet.protocolVersion}`} is not supported, connect with MQTT 3.1.1`,
    );
  }

  /**
   * aedes buffers a whole packet before parsing it, whatever its announced size. Check the
   * remaining length as soon as the fixed header is read and drop the connection before a
   * single oversized byte is kept (MQTT 3.1.1 has no way to say why).
   */
  private guard(client: ClientInternals): void {
    const parser = client._parser;
    const parseLength = parser._parseLength;
    const max = this.limits.maxPacketBytes;
    const { metrics, logger } = this;
    parser._parseLength = function guardedParseLength(this: ClientInternals['_parser']): boolean {
      const ok = parseLength.call(this);
      if (ok && this.packet.length > max) {
        metrics.rejects.inc({ reason: 'packet-too-large' });
        logger.warn({ remoteAddress: client.conn.remoteAddress, bytes: this.packet.length, max }, 'mqtt packet over FORECARE_MQTT_MAX_PACKET_BYTES: connection closed');
        client.conn.destroy();
        return false;
      }
      return ok;
    };
  }

  private authenticate(client: Client, username: string | undefined, password: Buffer | undefined, done: (err: AuthenticateError | null, success: boolean | null) => void): void {
    const packet = this.connects.get(client);
    this.connects.delete(client);
    this.checkedAt.set(client, this.credentialChanges);
    const conn = (client as unknown as ClientInternals).conn;
    const attempt = { packet, clientId: packet?.clientId ?? client.id, username, password, source: conn.remoteAddress ?? 'unknown', certificateName: this.certificateName(client) };
    const refuse = (err: AuthenticateError): void => {
      this.metrics.mqttConnectRefused.inc({ reason: String(err.returnCode) });
      this.logger.warn({ clientId: client.id, username, returnCode: err.returnCode, reason: err.message }, 'mqtt connect refused');
      done(err, false);
    };
    this.authenticator.authenticate(attempt).then((identity) => {
      if (client.closed) return done(null, false); // gone while the password was checked; aedes drops it
      if (this.changedSince(identity, this.checkedAt.get(client))) return refuse(refusal(ConnackCode.NotAuthorized, 'credentials were revoked or rotated while this connect was being checked'));
      if (!this.clientIds.claim(client.id, identity, packet?.clean !== false)) return refuse(refusal(ConnackCode.IdentifierRejected, 'client id is in use by another hub or account'));
      conn.once('close', () => this.clientIds.release(client.id));
      this.identities.set(client, identity);
      done(null, true);
    }, refuse);
  }

  /** The CN of a verified client certificate (TLS with FORECARE_TLS_CA), if any. */
  private certificateName(client: Client): string | undefined {
    if (!this.clientCa) return undefined;
    const conn = (client as unknown as ClientInternals).conn;
    if (conn.authorized !== true || conn.getPeerCertificate === undefined) return undefined;
    const cn = conn.getPeerCertificate().subject?.CN;
    const name = Array.isArray(cn) ? cn[0] : cn;
    return name !== undefined && isCleanMqttString(name) ? name : undefined;
  }

  /** The hot path: one lookup, a prefix test and a counter; the journal decides when `cb` runs. */
  private authorizePublish(client: Client | null, packet: PublishPacket, cb: (error?: Error | null) => void): void {
    if (this.stopping) return this.refuseWhileStopping(client, packet, cb);
    const topic = packet.topic;
    // A will published after its client is gone arrives with client === null; its topic was
    // checked at CONNECT to be the hub's own status topic.
    const identity = client === null ? willIdentity(topic) : this.identities.get(client);
    const publisher = identity?.publisher;
    if (identity === undefined || publisher === undefined || publisher === null || identity.prefix === null || !topic.startsWith(identity.prefix) || !isCleanMqttString(topic)) {
      const reason = identity !== undefined && identity.role !== 'hub' ? 'read-only-role' : 'forbidden-topic';
      this.metrics.rejects.inc({ reason });
      this.logger.warn({ clientId: client?.id, role: identity?.role, name: identity?.name, topic: topic.slice(0, 200), reason }, 'publish not allowed: disconnecting');
      // MQTT 3.1.1 has no PUBACK reason code: an error here makes aedes close the connection.
      cb(new Error('publish not authorized'));
      return;
    }
    if (packet.qos > 0 && identity.inflight >= this.limits.maxInflight) {
      // MQTT 3.1.1 cannot advertise a receive window, so, as aedes does for QoS 2, the connection goes.
      this.metrics.rejects.inc({ reason: 'too-many-inflight' });
      this.logger.warn({ clientId: client?.id, hubId: identity.name, max: this.limits.maxInflight }, 'publishes in flight over FORECARE_MQTT_MAX_INFLIGHT: disconnecting');
      cb(new Error('too many publishes in flight'));
      return;
    }
    // Only the status topic is retained by contract. aedes would keep a retained message for
    // every topic a hub invents under its prefix, without a bound; the others are routed unretained.
    if (packet.retain && topic !== identity.statusTopic) packet.retain = false;
    identity.inflight++;
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    this.ingest.accept(publisher, topic, payload, (err, refused) => {
      identity.inflight--;
      if (refused === true) {
        // Acknowledged (a poison message must not come back forever) but dead-lettered: aedes
        // routes it after this callback, so it is kept from subscribers and from the retained store.
        packet.retain = false;
        this.refusedPayloads.add(payload);
      }
      cb(err ?? null);
    });
  }

  private authorizeSubscribe(client: Client, sub: Subscription, cb: (error: Error | null, subscription?: Subscription | null) => void): void {
    const identity = this.identities.get(client);
    if (identity === undefined || !isCleanMqttString(sub.topic) || !maySubscribe(identity, sub.topic)) {
      this.metrics.rejects.inc({ reason: 'forbidden-subscription' });
      this.logger.warn({ clientId: client.id, role: identity?.role, name: identity?.name, topic: sub.topic.slice(0, 200) }, 'subscription refused');
      cb(null, null); // SUBACK 0x80 for this filter, connection stays up
      return;
    }
    const mine = identity.subscriptions;
    if (!mine.has(sub.topic) && mine.size >= this.limits.maxSubscriptions) {
      this.metrics.rejects.inc({ reason: 'too-many-subscriptions' });
      this.logger.warn({ clientId: client.id, name: identity.name, max: this.limits.maxSubscriptions }, 'subscription refused: FORECARE_MQTT_MAX_SUBSCRIPTIONS reached');
      cb(null, null);
      return;
    }
    mine.add(sub.topic);
    cb(null, sub);
  }

  private changedSince(identity: ClientIdentity, checkedAt: number | undefined): boolean {
    const at = this.changedAt.get(`${identity.role}\0${identity.name}`);
    return at !== undefined && (checkedAt === undefined || at > checkedAt);
  }

  private credentialsChangedSince(client: Client): boolean {
    const identity = this.identities.get(client);
    return identity !== undefined && this.changedSince(identity, this.checkedAt.get(client));
  }

  private closeStale(client: Client): void {
    const identity = this.identities.get(client);
    this.metrics.disconnects.inc({ reason: 'credentials-changed' });
    this.logger.info({ clientId: client.id, role: identity?.role, name: identity?.name }, 'mqtt connect closed before CONNACK: credentials changed while it was checked');
    (client as unknown as ClientInternals).conn.destroy();
  }

  /** Counts a connection from CONNACK until its socket closes, once; a socket already gone is never counted. */
  private track(client: Client): void {
    const conn = (client as unknown as ClientInternals).conn;
    if (client.closed || conn.destroyed === true || this.live.has(client)) return;
    // Between CONNACK and here a revoke or rotation found nothing to close: close it now.
    if (this.credentialsChangedSince(client)) {
      this.closeStale(client);
      return;
    }
    this.live.add(client);
    const identity = this.identities.get(client);
    const role = identity?.role ?? 'unknown';
    this.metrics.mqttConnections.inc({ role });
    conn.once('close', () => {
      if (this.live.delete(client)) this.metrics.mqttConnections.dec({ role });
    });
    this.logger.info({ clientId: client.id, role: identity?.role, hubId: identity?.role === 'hub' ? identity.name : undefined, account: identity?.role !== 'hub' ? identity?.name : undefined }, 'mqtt client connected');
  }

  /** Publishes a notice on the hub's notices topic (QoS 1). */
  sendNotice(hubId: string, notice: NoticePayload): void {
    const aedes = this.aedes;
    if (aedes === undefined || aedes.closed) return;
    this.metrics.messagesOut.inc({ kind: notice.kind });
    aedes.publish(
      { cmd: 'publish', topic: topics.notices(hubId), payload: Buffer.from(JSON.stringify(notice)), qos: 1, retain: false, dup: false },
      (err) => {
        if (err) this.logger.warn({ hubId, err: err.message }, 'notice not published');
      },
    );
  }

  /** Names (hub ids for role hub) with a live connection. */
  connectedNames(role: ClientRole): string[] {
    const names: string[] = [];
    for (const client of this.live) {
      const identity = this.identities.get(client);
      if (identity?.role === role) names.push(identity.name);
    }
    return names;
  }

  /** Hub ids with a live connection. */
  connectedHubIds(): string[] {
    return this.connectedNames('hub');
  }

  /**
   * Closes every connection of a hub or account (after revocation or rotation), on this node
   * and, through the fabric, on every other; returns how many were closed here.
   */
  disconnect(role: ClientRole, name: string): number {
    const n = this.disconnectHere(role, name);
    this.fabric?.announceCredentialChange(role, name).catch((err: unknown) => this.logger.error({ role, name, err }, 'credential change not announced to the other nodes'));
    return n;
  }

  private disconnectHere(role: ClientRole, name: string): number {
    // Connects still being checked or registered see this and are refused or closed before CONNACK.
    this.changedAt.set(`${role}\0${name}`, ++this.credentialChanges);
    let n = 0;
    for (const client of this.live) {
      const identity = this.identities.get(client);
      if (identity?.role === role && identity.name === name) {
        client.close();
        n++;
      }
    }
    if (n > 0) {
      this.metrics.disconnects.inc({ reason: 'credentials-changed' }, n);
      this.logger.info({ role, name, connections: n }, 'mqtt client disconnected by the gateway');
    }
    return n;
  }

  disconnectHub(hubId: string): number {
    return this.disconnect('hub', hubId);
  }

  get isRunning(): boolean {
    return this.aedes !== undefined && !this.aedes.closed && this.server?.listening === true;
  }

  get connectedClients(): number {
    return this.aedes?.connectedClients ?? 0;
  }

  /**
   * The other listeners on the same broker: MQTT over TLS (optionally with client
   * certificates whose CN is the hub id) and MQTT over WebSocket at /mqtt.
   */
  async startExtra(host: string, opts: ExtraListeners): Promise<{ tlsPort: number | undefined; wsPort: number | undefined }> {
    const aedes = this.aedes;
    if (aedes === undefined) throw new Error('start the broker first');
    let tlsPort: number | undefined;
    let wsPort: number | undefined;
    if (opts.tlsPort !== undefined) {
      this.clientCa = opts.tls.ca !== '';
      const server = createTlsListener(opts.tls, this.logger, (socket) => this.guard(aedes.handle(socket) as unknown as ClientInternals));
      trackSockets(server, this.sockets);
      this.extra.push(server);
      tlsPort = await listen(server, host, opts.tlsPort, 'FORECARE_MQTTS_PORT');
    }
    if (opts.wsPort !== undefined) {
      const { http, wss } = createWsListener(this.limits.maxPacketBytes, (stream, req) => this.guard(aedes.handle(stream, req) as unknown as ClientInternals));
      this.extra.push(http);
      this.wss = wss;
      wsPort = await listen(http, host, opts.wsPort, 'FORECARE_MQTT_WS_PORT');
    }
    return { tlsPort, wsPort };
  }

  /**
   * Stops accepting, closes every connection through aedes, then waits for the listeners.
   * Open WebSockets would otherwise hold their HTTP server open forever: ws does not close
   * its clients on close().
   */
  stop(): Promise<void> {
    this.stopping = true; // before aedes closes a client: its will comes to authorizePublish at once
    this.stopped ??= this.closeAll();
    return this.stopped;
  }

  private async closeAll(): Promise<void> {
    const servers = [...this.extra, ...(this.server !== undefined ? [this.server] : [])];
    const closed = servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
    for (const ws of this.wss?.clients ?? []) ws.terminate();
    this.wss?.close();
    const aedes = this.aedes;
    if (aedes !== undefined) await new Promise<void>((resolve) => aedes.close(() => resolve()));
    for (const s of servers) if ('closeAllConnections' in s) s.closeAllConnections();
    // aedes closes only clients that connected; a socket still before its CONNECT would hold the listener until connectTimeout.
    for (const socket of this.sockets) socket.destroy();
    await Promise.all(closed);
  }

  /**
   * Once the gateway stops, nothing is published any more. The broker going down is not the
   * hub leaving: aedes publishes the last will of every client it closes, and each would be
   * journaled as "hub offline" and open a ticket per connected hub after the restart — so
   * wills are dropped here, with a log line. A hub that really leaves at the same moment is
   * still noticed: its silence raises the hub-offline alarm after the restart (the journal
   * never had its will, so nothing was acknowledged and then lost). Any other publish is
   * refused, unacknowledged, and the hub sends it again to the next gateway.
   */
  private refuseWhileStopping(client: Client | null, packet: PublishPacket, cb: (error?: Error | null) => void): void {
    const identity = client === null ? undefined : this.identities.get(client);
    this.metrics.rejects.inc({ reason: 'gateway-stopping' });
    this.logger.info({ clientId: client?.id, hubId: identity?.role === 'hub' ? identity.name : undefined, topic: packet.topic.slice(0, 200) }, 'publish during shutdown not taken (a last will here is the gateway stopping, not the hub leaving)');
    cb(new Error('gateway stopping'));
  }
}

/** Keeps the listener's open sockets in `into` until each closes. */
function trackSockets(server: NetServer | TlsServer, into: Set<Socket>): void {
  server.on('connection', (socket: Socket) => {
    into.add(socket);
    socket.once('close', () => into.delete(socket));
  });
}

/** The identity a will of a departed hub publishes under (its topic names the hub). */
function willIdentity(topic: string): ClientIdentity | undefined {
  const hubId = hubIdOfTopic(topic);
  return hubId === null ? undefined : hubIdentity(hubId, null);
}
