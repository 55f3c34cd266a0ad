import type { ClientIdentity } from './identity.js';

interface Claim {
  readonly owner: string;
  /** Connections holding the id now (a takeover briefly has two). */
  holders: number;
  /** A persistent session (clean = false) outlives the connection. */
  persistent: boolean;
}

/**
 * Which identity each client id belongs to while it is connected or has a session. MQTT
 * lets a CONNECT with a live client id take the connection over [MQTT-3.1.4-2] and resume
 * its session [MQTT-3.1.2-4]; among hubs that would let any hub disconnect another, or
 * receive the notices queued for it, just by copying its client id. The same identity may
 * still take its own id over (a hub reconnecting before the old TCP connection timed out).
 */
export class ClientIdOwners {
  private readonly claims = new Map<string, Claim>();

  /** Claims `clientId` for `identity`; false when another identity holds it. */
  claim(clientId: string, identity: ClientIdentity, clean: boolean): boolean {
    const owner = `${identity.role}:${identity.name}`;
    const held = this.claims.get(clientId);
    if (held !== undefined && held.owner !== owner) return false;
    if (held === undefined) {
      this.claims.set(clientId, { owner, holders: 1, persistent: !clean });
    } else {
      held.holders++;
      // A clean session discards the stored one [MQTT-3.1.2-6].
      held.persistent = !clean;
    }
    return true;
  }

  /** One connection that claimed `clientId` has closed. */
  release(clientId: string): void {
    const held = this.claims.get(clientId);
    if (held === undefined) return;
    held.holders--;
    if (held.holders <= 0 && !held.persistent) this.claims.delete(clientId);
  }

  get size(): number {
    return this.claims.size;
  }
}
