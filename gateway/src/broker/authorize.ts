import type { Client, PublishPacket, Subscription } from 'aedes';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/metrics.js';
import { isCleanMqttString } from './hygiene.js';
import { maySubscribe, type ClientIdentity } from './identity.js';

/**
 * A SUBSCRIBE filter granted as asked, or refused (null: SUBACK 0x80 for this filter, the
 * connection stays up): only under what the identity may read, and at most `max` filters each.
 */
export function authorizeSubscription(client: Client, identity: ClientIdentity | undefined, sub: Subscription, max: number, metrics: Metrics, logger: Logger): Subscription | null {
  if (identity === undefined || !isCleanMqttString(sub.topic) || !maySubscribe(identity, sub.topic)) {
    metrics.rejects.inc({ reason: 'forbidden-subscription' });
    logger.warn({ clientId: client.id, role: identity?.role, name: identity?.name, topic: sub.topic.slice(0, 200) }, 'subscription refused');
    return null;
  }
  const mine = identity.subscriptions;
  if (!mine.has(sub.topic) && mine.size >= max) {
    metrics.rejects.inc({ reason: 'too-many-subscriptions' });
    logger.warn({ clientId: client.id, name: identity.name, max }, 'subscription refused: FORECARE_MQTT_MAX_SUBSCRIPTIONS reached');
    return null;
  }
  mine.add(sub.topic);
  return sub;
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
export function refusalWhileStopping(client: Client | null, identity: ClientIdentity | undefined, packet: PublishPacket, metrics: Metrics, logger: Logger): Error {
  metrics.rejects.inc({ reason: 'gateway-stopping' });
  logger.info({ clientId: client?.id, hubId: identity?.role === 'hub' ? identity.name : undefined, topic: packet.topic.slice(0, 200) }, 'publish during shutdown not taken (a last will here is the gateway stopping, not the hub leaving)');
  return new Error('gateway stopping');
}
