import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server, type Server as NetServer } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { createWebSocketStream, WebSocketServer } from 'ws';
import { GatewayError } from '../errors.js';
import { Aedes, type AuthenticateError, type Client, type ConnectPacket, type PublishPacket, type Subscription } from 'aedes';
import { hubIdOfTopic, topics, type NoticePayload } from '@forecare/firmware-contracts';
import type { HubRegistry } from '../hubs/hub-registry.js';
import type { Ingest } from '../ingest/ingest.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/metrics.js';
import { isCleanMqttString } from './hygiene.js';
import { listen } from './listen.js';
import { LoginLimiter } from './login-limiter.js';

/** CONNACK return codes of MQTT 3.1.1 §3.2.2.3. */
const enum ConnackCode {
  UnacceptableProtocol = 1,
  IdentifierRejected = 2,
  BadCredentials = 4,
  NotAuthorized = 5,
}

function refusal(code: ConnackCode, message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode: code as number }) as AuthenticateError;
}

export interface BrokerLimits {
  readonly maxPacketBytes: number;
  readonly maxKeepaliveS: number;
  readonly maxSubscriptions: number;
  readonly loginFailuresPerMinute: number;
}

export const DEFAULT_LIMITS: BrokerLimits = { maxPacketBytes: 270_336, maxKeepaliveS: 1200, maxSubscriptions: 16, loginFailuresPerMinute: 10 };

/** The parts of aedes' per-connection client we guard (not in its public types). */
interface ClientInternals {
  readonly conn: { destroy(): void; remoteAddress?: string; authorized?: boolean; getPeerCertificate?: () => { subject?: { CN?: string | string[] } } };
  readonly _parser: { packet: { length: number }; _parseLength: () => boolean };
}

export interface ExtraListeners {
  readonly tlsPort: number | undefined;
  readonly wsPort: number | undefined;
  readonly tls: { readonly cert: string; readonly key: string; readonly ca: string };
}

export interface BrokerIdentity {
  readonly hubId: string;
}

/**
 * The MQTT side: aedes with our hooks. Hubs authenticate with username = hub id and their
 * provisioned password, and may publish and subscribe only under `forecare/v1/{hubId}/`.
 */
export class Broker {
  private aedes: Aedes | undefined;
  private server: Server | undefined;
  private readonly identities = new WeakMap<Client, BrokerIdentity>();
  private readonly connects = new WeakMap<Client, ConnectPacket>();
  private ingest: Ingest | undefined;
  private readonly live = new Set<Client>();

  private readonly subscriptions = new WeakMap<Client, Set<string>>();
  private readonly extra: (NetServer | TlsServer | HttpServer)[] = [];
  private wss: WebSocketServer | undefined;
  private clientCa = false;
  private readonly limiter: LoginLimiter;

  constructor(
    private readonly registry: HubRegistry,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
    private readonly limits: BrokerLimits = DEFAULT_LIMITS,
    private readonly now: () => number = Date.now,
  ) {
    this.limiter = new LoginLimiter(limits.loginFailuresPerMinute, limits.loginFailuresPerMinute * 5);
  }

  attachIngest(ingest: Ingest): void {
    this.ingest = ingest;
  }

  async start(host: string, port: number): Promise<number> {
    const aedes = await Aedes.createBroker({
      id: 'forecare',
      connectTimeout: 10_000,
      maxClientsIdLength: 64,
      maxTopicLevels: 8,
      keepaliveLimit: this.limits.maxKeepaliveS,
      preConnect: (client, packet, cb) => {
        this.connects.set(client, packet);
        cb(null, true);
      },
      authenticate: (client, username, password, done) => {
        this.authenticate(client, username, password).then(
          (identity) => {
            this.identities.set(client, identity);
            done(null, true);
          },
          (err: AuthenticateError) => {
            this.metrics.mqttConnectRefused.inc({ reason: String(err.returnCode) });
            this.logger.warn({ clientId: client.id, username, returnCode: err.returnCode, reason: err.message }, 'mqtt connect refused');
            done(err, false);
          },
        );
      },
      authorizePublish: (client, packet, cb) => this.authorizePublish(client, packet, cb),
      authorizeSubscribe: (client, sub, cb) => this.authorizeSubscribe(client, sub, cb),
    });
    aedes.on('clientReady', (client) => {
      this.live.add(client);
      this.metrics.mqttConnections.inc();
      this.logger.info({ clientId: client.id, hubId: this.identities.get(client)?.hubId }, 'hub connected');
    });
    aedes.on('clientDisconnect', (client) => {
      if (this.live.delete(client)) this.metrics.mqttConnections.dec();
      this.logger.info({ clientId: client.id, hubId: this.identities.get(client)?.hubId }, 'hub disconnected');
    });
    aedes.on('clientError', (client, err) => {
      this.logger.warn({ clientId: client.id, err: err.message }, 'mqtt client error');
    });
    aedes.on('connectionError', (client, err) => {
      this.metrics.rejects.inc({ reason: 'protocol' });
      this.logger.warn({ clientId: client.id, err: err.message }, 'mqtt connection error');
    });
    this.aedes = aedes;
    this.server = createServer((socket) => this.guard(aedes.handle(socket) as unknown as ClientInternals));
    return listen(this.server, host, port, 'FORECARE_MQTT_PORT');
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

  private async authenticate(client: Client, username: string | undefined, password: Buffer | undefined): Promise<BrokerIdentity> {
    const packet = this.connects.get(client);
    this.connects.delete(client);
    if (packet !== undefined && packet.protocolVersion === 5) {
      // aedes does not implement MQTT 5; refuse cleanly [MQTT-3.1.2-2].
      throw refusal(ConnackCode.UnacceptableProtocol, 'MQTT 5 is not supported; connect with MQTT 3.1.1');
    }
    const clientId = packet?.clientId ?? client.id;
    if (!isCleanMqttString(clientId)) throw refusal(ConnackCode.IdentifierRejected, 'client id contains NUL, control characters or invalid UTF-8');
    // [MQTT-3.1.3-8]: an empty client id requires a clean session.
    if (packet !== undefined && packet.clientId === '' && packet.clean === false) {
      throw refusal(ConnackCode.IdentifierRejected, 'empty client id with a persistent session');
    }
    const certHub = this.certificateHub(client);
    if (certHub !== undefined) {
      // A client certificate from our CA names the hub; a username, if sent, must agree.
      if (username !== undefined && username !== certHub) throw refusal(ConnackCode.BadCredentials, 'username does not match the client certificate');
      const hub = this.registry.get(certHub);
      if (hub === undefined || hub.revokedAt !== null) throw refusal(ConnackCode.NotAuthorized, `hub ${certHub} of the client certificate is not provisioned or is revoked`);
      this.checkWill(packet, certHub);
      return { hubId: certHub };
    }
    if (username === undefined || password === undefined) throw refusal(ConnackCode.NotAuthorized, 'username and password are required');
    if (!isCleanMqttString(username)) throw refusal(ConnackCode.BadCredentials, 'username contains NUL, control characters or invalid UTF-8');
    const hubId = username;
    const source = (client as unknown as ClientInternals).conn.remoteAddress ?? 'unknown';
    const blocked = this.limiter.blocked(hubId, source, this.now());
    if (blocked !== undefined) {
      this.metrics.loginFailures.inc({ reason: `rate-limited-${blocked}` });
      throw refusal(ConnackCode.NotAuthorized, `too many failed logins for this ${blocked === 'hub' ? 'hub id' : 'source address'}; try again in a minute`);
    }
    const ok = await this.registry.verify(hubId, password.toString('utf8'));
    if (!ok) {
      this.limiter.fail(hubId, source, this.now());
      this.metrics.loginFailures.inc({ reason: 'bad-credentials' });
      throw refusal(ConnackCode.BadCredentials, 'bad username or password');
    }
    this.checkWill(packet, hubId);
    return { hubId };
  }

  private checkWill(packet: ConnectPacket | undefined, hubId: string): void {
    const will = packet?.will;
    if (will !== undefined && will !== null) {
      if (will.topic !== topics.status(hubId)) throw refusal(ConnackCode.NotAuthorized, `last will must be on ${topics.status(hubId)}`);
      if ((will.qos ?? 0) > 1) throw refusal(ConnackCode.NotAuthorized, 'last will QoS must be 0 or 1');
    }
  }

  /** The hub id of a verified client certificate (TLS with FORECARE_TLS_CA), if any. */
  private certificateHub(client: Client): string | undefined {
    if (!this.clientCa) return undefined;
    const conn = (client as unknown as ClientInternals).conn;
    if (conn.authorized !== true || conn.getPeerCertificate === undefined) return undefined;
    const cn = conn.getPeerCertificate().subject?.CN;
    const name = Array.isArray(cn) ? cn[0] : cn;
    return name !== undefined && isCleanMqttString(name) ? name : undefined;
  }

  private authorizePublish(client: Client | null, packet: PublishPacket, cb: (error?: Error | null) => void): void {
    // A will published after its client is gone arrives with client === null; its topic was
    // checked at CONNECT to be the hub's own status topic.
    const identity = client === null ? undefined : this.identities.get(client);
    const hubId = identity?.hubId ?? (client === null ? hubIdOfTopic(packet.topic) : null);
    if (hubId === null || hubId === undefined || !isCleanMqttString(packet.topic) || !packet.topic.startsWith(topics.hubPrefix(hubId))) {
      this.metrics.rejects.inc({ reason: 'forbidden-topic' });
      this.logger.warn({ clientId: client?.id, hubId, topic: packet.topic.slice(0, 200) }, 'publish outside the hub prefix: disconnecting');
      // MQTT 3.1.1 has no PUBACK reason code: an error here makes aedes close the connection.
      cb(new Error('publish not authorized'));
      return;
    }
    if (this.ingest === undefined) {
      cb(new Error('ingest not ready'));
      return;
    }
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    this.ingest.accept({ hubId, clientId: client?.id ?? null }, packet.topic, payload, (err) => cb(err ?? null));
  }

  private authorizeSubscribe(client: Client, sub: Subscription, cb: (error: Error | null, subscription?: Subscription | null) => void): void {
    const identity = this.identities.get(client);
    if (identity === undefined || !isCleanMqttString(sub.topic) || !sub.topic.startsWith(topics.hubPrefix(identity.hubId))) {
      this.metrics.rejects.inc({ reason: 'forbidden-subscription' });
      this.logger.warn({ clientId: client.id, hubId: identity?.hubId, topic: sub.topic.slice(0, 200) }, 'subscription refused');
      cb(null, null); // SUBACK 0x80 for this filter, connection stays up
      return;
    }
    let mine = this.subscriptions.get(client);
    if (mine === undefined) {
      mine = new Set();
      this.subscriptions.set(client, mine);
    }
    if (!mine.has(sub.topic) && mine.size >= this.limits.maxSubscriptions) {
      this.metrics.rejects.inc({ reason: 'too-many-subscriptions' });
      this.logger.warn({ clientId: client.id, hubId: identity.hubId, max: this.limits.maxSubscriptions }, 'subscription refused: FORECARE_MQTT_MAX_SUBSCRIPTIONS reached');
      cb(null, null);
      return;
    }
    mine.add(sub.topic);
    cb(null, sub);
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

  /** Hub ids with a live connection. */
  connectedHubIds(): string[] {
    const ids: string[] = [];
    for (const client of this.live) {
      const identity = this.identities.get(client);
      if (identity !== undefined) ids.push(identity.hubId);
    }
    return ids;
  }

  /** Closes every connection of a hub (after revocation or rotation). */
  disconnectHub(hubId: string): number {
    let n = 0;
    for (const client of this.live) {
      if (this.identities.get(client)?.hubId === hubId) {
        client.close();
        n++;
      }
    }
    if (n > 0) this.logger.info({ hubId, connections: n }, 'hub disconnected by the gateway');
    return n;
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
      const read = (file: string, setting: string): Buffer => {
        try {
          return readFileSync(file);
        } catch (err) {
          throw new GatewayError('GW_ERR_CONFIG_INVALID', `${setting}: cannot read ${file} (${(err as Error).message})`);
        }
      };
      this.clientCa = opts.tls.ca !== '';
      const server = createTlsServer(
        {
          cert: read(opts.tls.cert, 'FORECARE_TLS_CERT'),
          key: read(opts.tls.key, 'FORECARE_TLS_KEY'),
          ...(this.clientCa ? { ca: read(opts.tls.ca, 'FORECARE_TLS_CA'), requestCert: true, rejectUnauthorized: false } : {}),
        },
        (socket) => this.guard(aedes.handle(socket) as unknown as ClientInternals),
      );
      server.on('tlsClientError', (err) => this.logger.warn({ err: err.message }, 'tls handshake failed'));
      this.extra.push(server);
      tlsPort = await listen(server, host, opts.tlsPort, 'FORECARE_MQTTS_PORT');
    }
    if (opts.wsPort !== undefined) {
      const http = createHttpServer((_req, res) => res.writeHead(426, { 'content-type': 'text/plain' }).end('MQTT over WebSocket: connect to /mqtt'));
      const wss = new WebSocketServer({ server: http, path: '/mqtt' });
      wss.on('connection', (ws, req) => {
        const stream = createWebSocketStream(ws);
        Object.assign(stream, { remoteAddress: req.socket.remoteAddress });
        stream.on('error', () => stream.destroy());
        this.guard(aedes.handle(stream, req) as unknown as ClientInternals);
      });
      this.extra.push(http);
      this.wss = wss;
      wsPort = await listen(http, host, opts.wsPort, 'FORECARE_MQTT_WS_PORT');
    }
    return { tlsPort, wsPort };
  }

  async stop(): Promise<void> {
    const server = this.server;
    const aedes = this.aedes;
    this.wss?.close();
    for (const s of this.extra) await new Promise<void>((resolve) => s.close(() => resolve()));
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
    if (aedes !== undefined) await new Promise<void>((resolve) => aedes.close(() => resolve()));
  }
}
