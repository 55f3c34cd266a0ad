import { hubIdOfTopic, TOPIC_ROOT, topics } from '@forecare/firmware-contracts';
import type { MqttClientRole } from '../hubs/mqtt-client-registry.js';
import type { Publisher } from '../ingest/ingest.js';

export type ClientRole = 'hub' | MqttClientRole;

/**
 * Who a connection is, decided once at CONNECT and kept for its life. Everything the
 * publish hot path needs is precomputed here, so a publish costs a lookup and a prefix test.
 */
export interface ClientIdentity {
  readonly role: ClientRole;
  /** The hub id of a hub, the account name of a service or admin client. */
  readonly name: string;
  /** `forecare/v1/{hubId}/` for a hub: where it may publish and subscribe. null for read-only roles. */
  readonly prefix: string | null;
  /** The one topic it may retain messages on (its status, also its will); null for read-only roles. */
  readonly statusTopic: string | null;
  /** What ingest is told about this connection's publishes; null for roles that may not publish. */
  readonly publisher: Publisher | null;
  /** Topic filters this connection holds (for the subscription limit). */
  readonly subscriptions: Set<string>;
  /** QoS 1/2 publishes received and not yet acknowledged (waiting for the journal). */
  inflight: number;
}

export function hubIdentity(hubId: string, clientId: string | null): ClientIdentity {
  return { role: 'hub', name: hubId, prefix: topics.hubPrefix(hubId), statusTopic: topics.status(hubId), publisher: { hubId, clientId }, subscriptions: new Set(), inflight: 0 };
}

export function readOnlyIdentity(role: MqttClientRole, name: string): ClientIdentity {
  return { role, name, prefix: null, statusTopic: null, publisher: null, subscriptions: new Set(), inflight: 0 };
}

const FLEET = `${TOPIC_ROOT}/`;

/**
 * The subscription ACL. A hub reads only under its own prefix; a service client reads the
 * whole fleet tree (`forecare/v1/...`, wildcards allowed) but not `$SYS`; an admin reads
 * everything, `$SYS/#` included. A filter like `#` or `+/...` would reach outside the fleet
 * tree, so a service may not use it. (`#` never matches `$SYS` topics [MQTT-4.7.2-1].)
 */
export function maySubscribe(identity: ClientIdentity, filter: string): boolean {
  switch (identity.role) {
    case 'hub':
      return identity.prefix !== null && filter.startsWith(identity.prefix);
    case 'service':
      return filter.startsWith(FLEET);
    case 'admin':
      return true;
  }
}

/** The identity a will of a departed hub publishes under (its topic names the hub). */
export function willIdentity(topic: string): ClientIdentity | undefined {
  const hubId = hubIdOfTopic(topic);
  return hubId === null ? undefined : hubIdentity(hubId, null);
}
