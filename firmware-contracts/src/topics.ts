import { isValidApplianceId, isValidHubId } from './ids.js';

/** Root of the versioned topic tree. A future `forecare/v2` tree can live beside it. */
export const TOPIC_ROOT = 'forecare/v1';

export type HubTopicKind = 'status' | 'heartbeat' | 'notices';
export type ApplianceTopicKind = 'telemetry' | 'fault' | 'inventory';
export type TopicKind = HubTopicKind | ApplianceTopicKind;

export interface ParsedTopic {
  readonly version: 'v1';
  readonly hubId: string;
  readonly kind: TopicKind;
  /** Present exactly for appliance topics. */
  readonly applianceId?: string;
}

export interface TopicSpec {
  readonly kind: TopicKind;
  readonly pattern: string;
  readonly direction: 'uplink' | 'downlink';
  readonly qos: 0 | 1;
  readonly retain: boolean;
  readonly description: string;
}

export const TOPIC_SPECS: readonly TopicSpec[] = [
  {
    kind: 'status',
    pattern: `${TOPIC_ROOT}/{hubId}/status`,
    direction: 'uplink',
    qos: 1,
    retain: true,
    description:
      'Hub presence: `online` published retained after connect, `offline` as the MQTT last will and on clean shutdown.',
  },
  {
    kind: 'heartbeat',
    pattern: `${TOPIC_ROOT}/{hubId}/heartbeat`,
    direction: 'uplink',
    qos: 1,
    retain: false,
    description: 'Periodic liveness of the hub, listing the appliances it currently hears.',
  },
  {
    kind: 'telemetry',
    pattern: `${TOPIC_ROOT}/{hubId}/appliances/{applianceId}/telemetry`,
    direction: 'uplink',
    qos: 1,
    retain: false,
    description: 'Metric samples of one appliance, single or batched.',
  },
  {
    kind: 'fault',
    pattern: `${TOPIC_ROOT}/{hubId}/appliances/{applianceId}/fault`,
    direction: 'uplink',
    qos: 1,
    retain: false,
    description: 'A fault code raised or cleared by the appliance firmware.',
  },
  {
    kind: 'inventory',
    pattern: `${TOPIC_ROOT}/{hubId}/appliances/{applianceId}/inventory`,
    direction: 'uplink',
    qos: 1,
    retain: false,
    description: 'The food items currently stored in a refrigerator (full snapshot).',
  },
  {
    kind: 'notices',
    pattern: `${TOPIC_ROOT}/{hubId}/notices`,
    direction: 'downlink',
    qos: 1,
    retain: false,
    description: 'Gateway to hub: rejections with reasons, ticket status for the hub screen.',
  },
];

export const topics = {
  hubPrefix: (hubId: string): string => `${TOPIC_ROOT}/${hubId}/`,
  status: (hubId: string): string => `${TOPIC_ROOT}/${hubId}/status`,
  heartbeat: (hubId: string): string => `${TOPIC_ROOT}/${hubId}/heartbeat`,
  notices: (hubId: string): string => `${TOPIC_ROOT}/${hubId}/notices`,
  telemetry: (hubId: string, applianceId: string): string =>
    `${TOPIC_ROOT}/${hubId}/appliances/${applianceId}/telemetry`,
  fault: (hubId: string, applianceId: string): string =>
    `${TOPIC_ROOT}/${hubId}/appliances/${applianceId}/fault`,
  inventory: (hubId: string, applianceId: string): string =>
    `${TOPIC_ROOT}/${hubId}/appliances/${applianceId}/inventory`,
} as const;

const HUB_KINDS: ReadonlySet<string> = new Set<HubTopicKind>(['status', 'heartbeat', 'notices']);
const APPLIANCE_KINDS: ReadonlySet<string> = new Set<ApplianceTopicKind>(['telemetry', 'fault', 'inventory']);

/** Parses a concrete topic of the v1 tree; null when it is not one of ours. */
export function parseTopic(topic: string): ParsedTopic | null {
  const levels = topic.split('/');
  if (levels[0] !== 'forecare' || levels[1] !== 'v1') return null;
  const hubId = levels[2];
  if (hubId === undefined || !isValidHubId(hubId)) return null;
  if (levels.length === 4) {
    const kind = levels[3];
    if (kind === undefined || !HUB_KINDS.has(kind)) return null;
    return { version: 'v1', hubId, kind: kind as HubTopicKind };
  }
  if (levels.length === 6 && levels[3] === 'appliances') {
    const applianceId = levels[4];
    const kind = levels[5];
    if (applianceId === undefined || !isValidApplianceId(applianceId)) return null;
    if (kind === undefined || !APPLIANCE_KINDS.has(kind)) return null;
    return { version: 'v1', hubId, kind: kind as ApplianceTopicKind, applianceId };
  }
  return null;
}

/** The hub id a topic or topic filter belongs to, or null when outside the v1 tree. */
export function hubIdOfTopic(topicOrFilter: string): string | null {
  const levels = topicOrFilter.split('/');
  if (levels[0] !== 'forecare' || levels[1] !== 'v1') return null;
  const hubId = levels[2];
  return hubId !== undefined && isValidHubId(hubId) ? hubId : null;
}
