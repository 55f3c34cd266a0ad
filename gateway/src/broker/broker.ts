import { createServer, type Server, type Server as NetServer, type Socket } from 'node:net';
import type { Server as HttpServer } from 'node:http';
import type { Server as TlsServer } from 'node:tls';
import type { WebSocketServer } from 'ws';
import { Aedes, type AuthenticateError, type Client, type ConnectPacket, type PublishPacket, type Subscription } from 'aedes';
import { topics, type NoticePayload } from '@forecare/firmware-contracts';
import type { GatewayConfig } from '../config/config.js';
import type { HubRegistry } from '../hubs/hub-registry.js';
import { MQTT_CLIENT_ROLES, type MqttClientRegistry } from '../hubs/mqtt-client-registry.js';
import type { Ingest } from '../ingest/ingest.js';
import type { BrokerFabric } from '../cluster/broker-fabric.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/metrics.js';
import { Authenticator, ConnackCode, noteUnsupportedProtocol, refusal } from './authenticate.js';
import { authorizeSubscription, refusalWhileStopping } from './authorize.js';
import { ClientIdOwners } from './client-ids.js';
import { certificateNameOf, guardPacketSize, internalsOf, type ClientInternals } from './client-internals.js';
import { ConnectedClients } from './connected-clients.js';
import { isCleanMqttString } from './hygiene.js';
import { willIdentity, type ClientRole } from './identity.js';
import { listen, trackSockets } from './listen.js';
import { createTlsListener, createWsListener, type TlsFiles } from './listeners.js';
import { LoginLimiter, loginLimits } from './login-limiter.js';

/** What the broker hands every authorized PUBLISH to: the gateway's Ingest, or a bench's stand-in. */
export type IngestPort = Pick<Ingest, 'accept'>;
/** The limits among the MQTT settings (each documented in config/settings.ts). */
export type BrokerLimits = Omit<GatewayConfig['mqtt'], 'tlsPort' | 'wsPort' | 'tls'>;

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
  private readonly connects = new WeakMap<Client, ConnectPacket>();
  /** Clients whose protocol version aedes is about to refuse. */
  private readonly protocolRefused = new WeakSet<Client>();
  /** Payloads ingest refused: never forwarded to service or admin subscribers. */
  private readonly refusedPayloads = new WeakSet<Buffer>();
  private readonly extra: (NetServer | TlsServer | HttpServer)[] = [];
  private wss: WebSocketServer | undefined;
  private clientCa = false;
  private readonly authenticator: Authenticator;
  private readonly clientIds = new ClientIdOwners();
  private readonly clients: ConnectedClients;
  private stopped: Promise<void> | undefined;
  private stopping = false;
  /** Sockets of the TCP and TLS listeners, so the last ones (a client that never sent CONNECT) are closed on stop. */
  private readonly sockets = new Set<Socket>();
  private readonly guard = (client: ClientInternals): void => guardPacketSize(client, this.limits.maxPacketBytes, this.metrics, this.logger);

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
    this.clients = new ConnectedClients(metrics, logger);
  }

  async start(host: string, port: number): Promise<number> {
    const fabric = this.fabric;
    fabric?.onCredentialChange((role, name) => this.clients.credentialChanged(role, name));
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
        if (packet.protocolVersion !== 3 && packet.protocolVersion !== 4) {
          this.protocolRefused.add(client);
          noteUnsupportedProtocol(packet, internalsOf(client).conn.remoteAddress, this.metrics, this.logger);
        }
        this.connects.set(client, packet);
        cb(null, true);
      },
      authenticate: (client, username, password, done) => this.authenticate(client, username, password, done),
      authorizePublish: (client, packet, cb) => this.authorizePublish(client, packet, cb),
      authorizeSubscribe: (client, sub, cb) => this.authorizeSubscribe(client, sub, cb),
      authorizeForward: (_client, packet) => (this.refusedPayloads.has(packet.payload as Buffer) ? null : packet),
    });
    // Registered, CONNACK not yet written: a credential changed since its check began closes it before it is told yes.
    aedes.on('client', (client) => this.clients.closeIfChanged(client));
    aedes.on('clientReady', (client) => this.clients.track(client));
    aedes.on('clientDisconnect', (client) => {
      const identity = this.clients.identityOf(client);
      this.logger.info({ clientId: client.id, role: identity?.role, hubId: identity?.role === 'hub' ? identity.name : undefined }, 'mqtt client disconnected');
    });
    aedes.on('unsubscribe', (filters, client) => {
      const mine = this.clients.identityOf(client)?.subscriptions;
      if (mine !== undefined) for (const f of filters) mine.delete(f);
    });
    aedes.on('keepaliveTimeout', (client) => {
      this.metrics.disconnects.inc({ reason: 'keepalive-timeout' });
      this.logger.warn({ clientId: client.id, hubId: this.clients.identityOf(client)?.name }, 'mqtt client silent past 1.5 x keepalive: disconnected');
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

  private authenticate(client: Client, username: string | undefined, password: Buffer | undefined, done: (err: AuthenticateError | null, success: boolean | null) => void): void {
    const packet = this.connects.get(client);
    this.connects.delete(client);
    this.clients.checking(client);
    const conn = internalsOf(client).conn;
    const attempt = { packet, clientId: packet?.clientId ?? client.id, username, password, source: conn.remoteAddress ?? 'unknown', certificateName: this.clientCa ? certificateNameOf(client) : undefined };
    const refuse = (err: AuthenticateError): void => {
      this.metrics.mqttConnectRefused.inc({ reason: String(err.returnCode) });
      this.logger.warn({ clientId: client.id, username, returnCode: err.returnCode, reason: err.message }, 'mqtt connect refused');
      done(err, false);
    };
    this.authenticator.authenticate(attempt).then((identity) => {
      if (client.closed) return done(null, false); // gone while the password was checked; aedes drops it
      if (this.clients.changedWhileChecking(client, identity)) return refuse(refusal(ConnackCode.NotAuthorized, 'credentials were revoked or rotated while this connect was being checked'));
      if (!this.clientIds.claim(client.id, identity, packet?.clean !== false)) return refuse(refusal(ConnackCode.IdentifierRejected, 'client id is in use by another hub or account'));
      conn.once('close', () => this.clientIds.release(client.id));
      this.clients.authenticated(client, identity);
      done(null, true);
    }, refuse);
  }

  /** The hot path: one lookup, a prefix test and a counter; the journal decides when `cb` runs. */
  private authorizePublish(client: Client | null, packet: PublishPacket, cb: (error?: Error | null) => void): void {
    if (this.stopping) return this.refuseWhileStopping(client, packet, cb);
    const topic = packet.topic;
    // A will published after its client is gone arrives with client === null; its topic was
    // checked at CONNECT to be the hub's own status topic.
    const identity = client === null ? willIdentity(topic) : this.clients.identityOf(client);
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
    cb(null, authorizeSubscription(client, this.clients.identityOf(client), sub, this.limits.maxSubscriptions, this.metrics, this.logger));
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
    return this.clients.names(role);
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
    const n = this.clients.credentialChanged(role, name);
    this.fabric?.announceCredentialChange(role, name).catch((err: unknown) => this.logger.error({ role, name, err }, 'credential change not announced to the other nodes'));
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

  private refuseWhileStopping(client: Client | null, packet: PublishPacket, cb: (error?: Error | null) => void): void {
    cb(refusalWhileStopping(client, client === null ? undefined : this.clients.identityOf(client), packet, this.metrics, this.logger));
  }
}
