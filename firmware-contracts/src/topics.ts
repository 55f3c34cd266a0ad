import { ID_MAX_LENGTH, isValidHubId } from './ids.js';

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
  /** Name of the payload schema (PAYLOAD_SCHEMAS, asyncapi.yaml components). */
  readonly schema: string;
  readonly description: string;
}

export const TOPIC_SPECS: readonly TopicSpec[] = [
  {
    kind: 'status',
    schema: 'StatusPayload',
    pattern: `${TOPIC_ROOT}/{hubId}/status`,
    direction: 'uplink',
    qos: 1,
    retain: true,
    description:
      'Hub presence: `online` published retained after connect, `offline` as the MQTT last will and on clean shutdown.',
  },
  {
    kind: 'heartbeat',
    schema: 'HeartbeatPayload',
    pattern: `${TOPIC_ROOT}/{hubId}/heartbeat`,
    direction: 'uplink',
    qos: 1,
    retain: false,
    description: 'Periodic liveness of the hub, listing the appliances it currently hears.',
  },
  {
    kind: 'telemetry',
    schema: 'TelemetryPayload',
    pattern: `${TOPIC_ROOT}/{hubId}/appliances/{applianceId}/telemetry`,
    direction: 'uplink',
    qos: 1,
    retain: false,
    description: 'Metric samples of one appliance, single or batched.',
  },
  {
    kind: 'fault',
    schema: 'FaultPayload',
    pattern: `${TOPIC_ROOT}/{hubId}/appliances/{applianceId}/fault`,
    direction: 'uplink',
    qos: 1,
    retain: false,
    description: 'A fault code raised or cleared by the appliance firmware.',
  },
  {
    kind: 'inventory',
    schema: 'InventoryPayload',
    pattern: `${TOPIC_ROOT}/{hubId}/appliances/{applianceId}/inventory`,
    direction: 'uplink',
    qos: 1,
    retain: false,
    description: 'The food items currently stored in a refrigerator (full snapshot).',
  },
  {
    kind: 'notices',
    schema: 'NoticePayload',
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


const PREFIX = `${TOPIC_ROOT}/`;
const APPLIANCES = 'appliances/';

/**
 * Index of the `/` that ends a valid id starting at `start` (ID_PATTERN_SOURCE, checked by char
 * code), or -1. Wildcards, spaces and NUL fail here like any other character outside the set.
 */
function idEnd(topic: string, start: number): number {
  const limit = Math.min(topic.length, start + ID_MAX_LENGTH + 1);
  let i = start;
  for (; i < limit; i++) {
    const c = topic.charCodeAt(i);
    if (c === 47 /* / */) break;
    const alnum = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
    if (!alnum && (i === start || (c !== 46 /* . */ && c !== 95 /* _ */ && c !== 45) /* - */)) return -1;
  }
  return i > start && i - start <= ID_MAX_LENGTH && i < topic.length && topic.charCodeAt(i) === 47 ? i : -1;
}

/**
 * Parsed topics by topic string. Every appliance publishes on the same few topics over and
 * over, so a hit saves the scan and the allocations on the hot path. Parsing is a pure
 * function, so an entry never goes stale: when the cache is full it simply stops taking new
 * topics (clearing and refilling it cost more than it saved in the 50,000-topic benchmark).
 * Entries are frozen because callers share them.
 */
const TOPIC_CACHE_SIZE = 16_384;
const topicCache = new Map<string, ParsedTopic>();

/**
 * Parses a concrete topic of the v1 tree; null when it is not one of ours (other roots,
 * wildcards, bad ids, unknown kinds).
 */
export function parseTopic(topic: string): ParsedTopic | null {
  const cached = topicCache.get(topic);
  if (cached !== undefined) return cached;
  const parsed = scanTopic(topic);
  if (parsed !== null && topicCache.size < TOPIC_CACHE_SIZE) topicCache.set(topic, Object.freeze(parsed));
  return parsed;
}

const HUB_KIND_LIST: readonly HubTopicKind[] = ['status', 'heartbeat', 'notices'];
const APPLIANCE_KIND_LIST: readonly ApplianceTopicKind[] = ['telemetry', 'fault', 'inventory'];

/** The kind that makes up the rest of the topic from `start`, compared in place (no slice, no hashing). */
function kindAt<K extends TopicKind>(topic: string, start: number, kinds: readonly K[]): K | null {
  const length = topic.length - start;
  for (const kind of kinds) if (kind.length === length && topic.startsWith(kind, start)) return kind;
  return null;
}

/** One scan of the topic, no split. */
function scanTopic(topic: string): ParsedTopic | null {
  if (!topic.startsWith(PREFIX)) return null;
  const hubEnd = idEnd(topic, PREFIX.length);
  if (hubEnd < 0) return null;
  const hubId = topic.slice(PREFIX.length, hubEnd);
  if (topic.startsWith(APPLIANCES, hubEnd + 1)) {
    const applianceStart = hubEnd + 1 + APPLIANCES.length;
    const applianceEnd = idEnd(topic, applianceStart);
    if (applianceEnd < 0) return null;
    const kind = kindAt(topic, applianceEnd + 1, APPLIANCE_KIND_LIST);
    if (kind === null) return null;
    return { version: 'v1', hubId, kind, applianceId: topic.slice(applianceStart, applianceEnd) };
  }
  const kind = kindAt(topic, hubEnd + 1, HUB_KIND_LIST);
  if (kind === null) return null;
  return { version: 'v1', hubId, kind };
}

/** The hub id a topic or topic filter belongs to, or null when outside the v1 tree. */
export function hubIdOfTopic(topicOrFilter: string): string | null {
  const levels = topicOrFilter.split('/');
  if (levels[0] !== 'forecare' || levels[1] !== 'v1') return null;
  const hubId = levels[2];
  return hubId !== undefined && isValidHubId(hubId) ? hubId : null;
}
