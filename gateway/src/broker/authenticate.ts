import type { AuthenticateError, ConnectPacket } from 'aedes';
import { topics } from '@forecare/firmware-contracts';
import type { HubRegistry } from '../hubs/hub-registry.js';
import { parseMqttClientUsername, type MqttClientRegistry } from '../hubs/mqtt-client-registry.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/metrics.js';
import { isCleanMqttString } from './hygiene.js';
import { hubIdentity, readOnlyIdentity, type ClientIdentity } from './identity.js';
import type { LoginLimiter } from './login-limiter.js';

/** CONNACK return codes of MQTT 3.1.1 §3.2.2.3. */
export const enum ConnackCode {
  UnacceptableProtocol = 1,
  IdentifierRejected = 2,
  BadCredentials = 4,
  NotAuthorized = 5,
}

export function refusal(code: ConnackCode, message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode: code as number }) as AuthenticateError;
}

/** What a CONNECT brings to be judged. */
export interface ConnectAttempt {
  /** The CONNECT packet (from aedes' preConnect); undefined only if aedes skipped that hook. */
  readonly packet: ConnectPacket | undefined;
  readonly clientId: string;
  readonly username: string | undefined;
  readonly password: Buffer | undefined;
  /** Remote address, for the per-source login limit. */
  readonly source: string;
  /** The CN of a client certificate verified against FORECARE_TLS_CA, if any. */
  readonly certificateName: string | undefined;
}

export interface ConnectLimits {
  readonly maxKeepaliveS: number;
  readonly maxClientIdLength: number;
}

type Check = (attempt: ConnectAttempt, limits: ConnectLimits) => void;

/** aedes does not implement MQTT 5; refuse cleanly [MQTT-3.1.2-2]. */
const refuseMqtt5: Check = ({ packet }) => {
  if (packet !== undefined && packet.protocolVersion === 5) throw refusal(ConnackCode.UnacceptableProtocol, 'MQTT 5 is not supported; connect with MQTT 3.1.1');
};

const checkClientId: Check = ({ packet, clientId }, limits) => {
  // [MQTT-1.5.3-1], [MQTT-1.5.3-2]: well-formed UTF-8, no NUL; and no control characters.
  if (!isCleanMqttString(clientId)) throw refusal(ConnackCode.IdentifierRejected, 'client id contains NUL, control characters or invalid UTF-8');
  // [MQTT-3.1.3-5]: a server may refuse long client ids; aedes only limits MQTT 3.1's.
  if (clientId.length > limits.maxClientIdLength) throw refusal(ConnackCode.IdentifierRejected, `client id longer than FORECARE_MQTT_MAX_CLIENT_ID_LENGTH (${limits.maxClientIdLength})`);
  // [MQTT-3.1.3-8]: an empty client id requires a clean session.
  if (packet !== undefined && packet.clientId === '' && packet.clean === false) throw refusal(ConnackCode.IdentifierRejected, 'empty client id with a persistent session');
};

/**
 * A keepalive of 0 would let a dead connection hold its session forever, and one past the
 * limit nearly so. aedes' own keepaliveLimit answers CONNACK 6, which MQTT 3.1.1 reserves
 * [MQTT-3.2.2-6]; like Mosquitto we answer 2 (identifier rejected) for a 3.1.1 client.
 * FORECARE_MQTT_MAX_KEEPALIVE_S=0 lifts the limit, keepalive 0 included.
 */
const checkKeepalive: Check = ({ packet }, limits) => {
  if (packet === undefined || limits.maxKeepaliveS === 0) return;
  const keepalive = packet.keepalive ?? 0;
  if (keepalive === 0 || keepalive > limits.maxKeepaliveS) {
    throw refusal(ConnackCode.IdentifierRejected, `keepalive ${keepalive} s: must be 1-${limits.maxKeepaliveS} s (FORECARE_MQTT_MAX_KEEPALIVE_S)`);
  }
};

/**
 * What a read-only role may not ask for: a persistent session, because aedes queues every
 * matching message for an offline session without a bound (a `forecare/v1/#` subscriber
 * away for a night would hold the whole fleet's traffic in memory), and a will (a publish).
 */
function checkReadOnlySession(packet: ConnectPacket | undefined, identity: ClientIdentity): void {
  if (identity.role === 'hub' || packet === undefined) return;
  if (packet.clean === false) throw refusal(ConnackCode.NotAuthorized, `a ${identity.role} client must connect with a clean session (offline queues are unbounded)`);
  if (packet.will !== undefined && packet.will !== null) throw refusal(ConnackCode.NotAuthorized, `a ${identity.role} client is read-only and may not set a last will`);
}

/** A hub's last will must be its own status topic at QoS 0 or 1. */
function checkWill(packet: ConnectPacket | undefined, identity: ClientIdentity): void {
  const will = packet?.will;
  if (will === undefined || will === null || identity.role !== 'hub') return;
  if (will.topic !== topics.status(identity.name)) throw refusal(ConnackCode.NotAuthorized, `last will must be on ${topics.status(identity.name)}`);
  if ((will.qos ?? 0) > 1) throw refusal(ConnackCode.NotAuthorized, 'last will QoS must be 0 or 1');
}

const CHECKS: readonly Check[] = [refuseMqtt5, checkClientId, checkKeepalive];

/**
 * CONNECT, in order: protocol, client id, keepalive, identity (client certificate, or a
 * password of a hub or of a service/admin account, under the failed-login limits), what
 * the identity's role may ask of the session, will.
 * A refusal is an AuthenticateError carrying the CONNACK code.
 */
export class Authenticator {
  constructor(
    private readonly hubs: HubRegistry,
    private readonly clients: MqttClientRegistry,
    private readonly limiter: LoginLimiter,
    private readonly metrics: Metrics,
    private readonly limits: ConnectLimits,
    private readonly now: () => number,
  ) {}

  async authenticate(attempt: ConnectAttempt): Promise<ClientIdentity> {
    for (const check of CHECKS) check(attempt, this.limits);
    const identity = attempt.certificateName !== undefined ? this.byCertificate(attempt, attempt.certificateName) : await this.byPassword(attempt);
    checkReadOnlySession(attempt.packet, identity);
    checkWill(attempt.packet, identity);
    return identity;
  }

  /** A client certificate from our CA names the hub; a username, if sent, must agree. */
  private byCertificate(attempt: ConnectAttempt, hubId: string): ClientIdentity {
    if (attempt.username !== undefined && attempt.username !== hubId) throw refusal(ConnackCode.BadCredentials, 'username does not match the client certificate');
    const hub = this.hubs.get(hubId);
    if (hub === undefined || hub.revokedAt !== null) throw refusal(ConnackCode.NotAuthorized, `hub ${hubId} of the client certificate is not provisioned or is revoked`);
    return hubIdentity(hubId, attempt.clientId);
  }

  private async byPassword(attempt: ConnectAttempt): Promise<ClientIdentity> {
    const { username, password, source } = attempt;
    if (username === undefined || password === undefined) throw refusal(ConnackCode.NotAuthorized, 'username and password are required');
    if (!isCleanMqttString(username)) throw refusal(ConnackCode.BadCredentials, 'username contains NUL, control characters or invalid UTF-8');
    const verdict = this.limiter.begin(username, source, this.now());
    if (verdict.kind === 'refuse') {
      this.metrics.loginFailures.inc({ reason: `rate-limited-${verdict.limit}` });
      const what = verdict.limit === 'pair' ? 'this username from this address' : 'this source address';
      throw refusal(ConnackCode.NotAuthorized, `too many failed logins for ${what}; try again in ${Math.ceil(verdict.retryAfterMs / 1000)} s`);
    }
    if (verdict.kind === 'slow') {
      this.metrics.loginFailures.inc({ reason: 'slowed-username' });
      await new Promise((resolve) => setTimeout(resolve, verdict.delayMs));
    }
    const secret = password.toString('utf8');
    const account = parseMqttClientUsername(username);
    const identity =
      account === undefined
        ? (await this.hubs.verify(username, secret)) ? hubIdentity(username, attempt.clientId) : undefined
        : (await this.clients.verify(username, secret)) !== undefined ? readOnlyIdentity(account.role, account.name) : undefined;
    if (identity === undefined) {
      this.metrics.loginFailures.inc({ reason: 'bad-credentials' });
      throw refusal(ConnackCode.BadCredentials, 'bad username or password');
    }
    this.limiter.succeeded(username, source, this.now());
    return identity;
  }
}

/**
 * aedes refuses any protocol but MQTT 3.1 and 3.1.1 itself, with CONNACK 1 [MQTT-3.1.2-2], before
 * our authenticate hook could, and then reports a bare connection error. Say once who tried,
 * from where and what to do instead, and count it as a refused connect.
 */
export function noteUnsupportedProtocol(packet: ConnectPacket, remoteAddress: string | undefined, metrics: Metrics, logger: Logger): void {
  metrics.mqttConnectRefused.inc({ reason: String(ConnackCode.UnacceptableProtocol) });
  logger.warn(
    { username: packet.username?.slice(0, 128), clientId: packet.clientId.slice(0, 128), remoteAddress, protocolVersion: packet.protocolVersion, returnCode: ConnackCode.UnacceptableProtocol },
    `mqtt connect refused: MQTT ${packet.protocolVersion === 5 ? '5' : `protocol level ${packet.protocolVersion}`} is not supported, connect with MQTT 3.1.1`,
  );
}
