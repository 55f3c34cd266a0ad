import type { Client } from 'aedes';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/metrics.js';
import type { ClientIdentity, ClientRole } from './identity.js';
import type { ClientInternals } from './client-internals.js';

/**
 * Who is connected as whom, and the race every connect runs against revocation: a connect
 * whose password check began before its credential was revoked or rotated must never be
 * counted as connected (issue 19, item 2). Each (role, name) remembers the count of credential
 * changes at its last change; each client, the count when its check began.
 */
export class ConnectedClients {
  private readonly identities = new WeakMap<Client, ClientIdentity>();
  /** Connections past CONNACK whose socket is still open: counted by the socket's own close (aedes can announce a client ready after reporting its disconnect). */
  private readonly live = new Set<Client>();
  /** Revocations and rotations so far, and the count at which each (role, name) last changed. */
  private credentialChanges = 0;
  private readonly changedAt = new Map<string, number>();
  /** `credentialChanges` when each connect's check began. */
  private readonly checkedAt = new WeakMap<Client, number>();

  constructor(
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {}

  /** A connect's credential check begins now. */
  checking(client: Client): void {
    this.checkedAt.set(client, this.credentialChanges);
  }

  /** Its credential was revoked or rotated after the check of `client`'s connect began. */
  changedWhileChecking(client: Client, identity: ClientIdentity): boolean {
    const at = this.changedAt.get(`${identity.role}\0${identity.name}`);
    const checkedAt = this.checkedAt.get(client);
    return at !== undefined && (checkedAt === undefined || at > checkedAt);
  }

  authenticated(client: Client, identity: ClientIdentity): void {
    this.identities.set(client, identity);
  }

  identityOf(client: Client): ClientIdentity | undefined {
    return this.identities.get(client);
  }

  /** Closes a connection whose credential changed after its check began (it was not counted yet); true if it did. */
  closeIfChanged(client: Client): boolean {
    const identity = this.identities.get(client);
    if (identity === undefined || !this.changedWhileChecking(client, identity)) return false;
    this.metrics.disconnects.inc({ reason: 'credentials-changed' });
    this.logger.info({ clientId: client.id, role: identity.role, name: identity.name }, 'mqtt connect closed before CONNACK: credentials changed while it was checked');
    (client as unknown as ClientInternals).conn.destroy();
    return true;
  }

  /** Counts a connection from CONNACK until its socket closes, once; a socket already gone is never counted. */
  track(client: Client): void {
    const conn = (client as unknown as ClientInternals).conn;
    if (client.closed || conn.destroyed === true || this.live.has(client)) return;
    // Between CONNACK and here a revoke or rotation found nothing to close: close it now.
    if (this.closeIfChanged(client)) return;
    const identity = this.identities.get(client);
    this.live.add(client);
    const role = identity?.role ?? 'unknown';
    this.metrics.mqttConnections.inc({ role });
    conn.once('close', () => {
      if (this.live.delete(client)) this.metrics.mqttConnections.dec({ role });
    });
    this.logger.info({ clientId: client.id, role: identity?.role, hubId: identity?.role === 'hub' ? identity.name : undefined, account: identity?.role !== 'hub' ? identity?.name : undefined }, 'mqtt client connected');
  }

  /** Names (hub ids for role hub) with a live connection. */
  names(role: ClientRole): string[] {
    const names: string[] = [];
    for (const client of this.live) {
      const identity = this.identities.get(client);
      if (identity?.role === role) names.push(identity.name);
    }
    return names;
  }

  /** The credential of (role, name) changed: closes its live connections; connects still being checked are refused or closed before CONNACK. */
  credentialChanged(role: ClientRole, name: string): number {
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
}
