import { stringify } from 'yaml';
import type { TSchema } from '@sinclair/typebox';
import { goldenFixtures } from '../fixtures/golden.js';
import { ID_MAX_LENGTH, ID_PATTERN_SOURCE } from '../ids.js';
import { BEYOND_SCHEMA, catalogSchemas, telemetryCatalogRules } from './catalog-schemas.js';
import { PAYLOAD_SCHEMAS } from '../schemas/by-topic.js';
import { TOPIC_SPECS, parseTopic } from '../topics.js';
import { MAX_DEPTH, MAX_PAYLOAD_BYTES } from '../validation/limits.js';
import { CONTRACT_VERSION } from '../version.js';

export { CONTRACT_VERSION, PAYLOAD_SCHEMAS };

/** Plain JSON Schema of a TypeBox schema: symbols dropped, `$id` removed (the document names schemas by key). */
export function plainSchema(schema: TSchema): Record<string, unknown> {
  return JSON.parse(JSON.stringify(schema, (key, value: unknown) => (key === '$id' ? undefined : value))) as Record<string, unknown>;
}

const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

export const VERSIONING_RULES = [
  'A v1 payload stays valid forever: no field of v1 is ever removed, renamed, retyped or made required.',
  'Changes inside v1 are additive only: new optional fields, new topics, new catalog metrics, states, state values, fault codes, appliance types and food categories. The gateway is deployed with the new catalog before firmware sends the new names.',
  'Receivers keep unknown extra fields and unknown metric and state names; they never reject them.',
  'A breaking change makes a new tree, `forecare/v2/…`, served beside `forecare/v1/…`; a hub speaks one tree per connection and moves when its firmware does.',
  'The contract version (`info.version`) follows semver: minor for additive changes, major only with a new topic tree.',
];

function description(): string {
  return [
    'The MQTT contract between forecare home hubs and the forecare gateway. This document describes the gateway: it receives every uplink topic and sends on `notices`. Hub firmware does the opposite.',
    '',
    '## Rules for every uplink payload',
    '- UTF-8 JSON object, at most ' + `${MAX_PAYLOAD_BYTES} bytes, nested at most ${MAX_DEPTH} levels.`,
    '- `ts`: device time as integer milliseconds since the Unix epoch (UTC). Not ISO 8601. The gateway records its own receive time beside it; clock skew is measured, not rejected.',
    '- `seq`: one counter per appliance, shared by its telemetry, fault and inventory messages (one per hub for status and heartbeat), +1 per message, persisted across reboots. The gateway drops a repeated (appliance, seq) as a QoS 1 redelivery, so a resent message keeps its seq; gaps are counted.',
    '- Telemetry may batch: `samples[]` holds earlier samples oldest first, each with its own `ts` and `seq`; the top level carries the newest.',
    `- Hub and appliance ids match \`${ID_PATTERN_SOURCE}\` (at most ${ID_MAX_LENGTH} characters).`,
    '- The status topic doubles as the MQTT last will: register `{"state":"offline","ts":0}` retained at QoS 1 when connecting, then publish `online` retained.',
    '',
    '## Versioning',
    ...VERSIONING_RULES.map((r) => `- ${r}`),
    '',
    'Appliance metric, state and fault-code catalogs: see docs/catalogs.md.',
  ].join('\n');
}

/** A payload schema as the document states it: the catalog rules JSON Schema can carry, and in its description what it cannot. */
function documentedSchema(kind: string, direction: string, schema: Record<string, unknown>): Record<string, unknown> {
  const beyond = direction === 'uplink' ? [BEYOND_SCHEMA.every, ...(kind === 'inventory' ? [BEYOND_SCHEMA.inventory] : [])] : [BEYOND_SCHEMA.direction];
  const own = typeof schema['description'] === 'string' ? `${schema['description']} ` : '';
  return { ...schema, description: own + beyond.join(' '), ...(kind === 'telemetry' ? { allOf: telemetryCatalogRules() } : {}) };
}

/** The AsyncAPI 3 document as a plain object. */
export function asyncApiDocument(): Record<string, unknown> {
  const fixtures = goldenFixtures();
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};

  for (const spec of TOPIC_SPECS) {
    const { name, schema } = PAYLOAD_SCHEMAS[spec.kind];
    const messageName = `${spec.kind}Message`;
    schemas[name] = documentedSchema(spec.kind, spec.direction, plainSchema(schema));
    const examples = fixtures
      .filter((f) => f.valid && parseTopic(f.topic)?.kind === spec.kind)
      .map((f) => ({ name: f.name.replace('/', '-'), summary: f.description, payload: JSON.parse(f.payload) as unknown }));
    messages[messageName] = {
      name: messageName,
      title: `${capitalize(spec.kind)} payload`,
      summary: spec.description,
      contentType: 'application/json',
      payload: { $ref: `#/components/schemas/${name}` },
      examples,
    };
    const parameters: Record<string, unknown> = {
      hubId: { description: `Hub id: \`${ID_PATTERN_SOURCE}\`. Equals the hub's MQTT username; a hub may only publish under its own id.` },
    };
    if (spec.pattern.includes('{applianceId}')) {
      parameters['applianceId'] = { description: `Appliance id, unique within its hub: \`${ID_PATTERN_SOURCE}\`.` };
    }
    channels[spec.kind] = {
      address: spec.pattern,
      title: capitalize(spec.kind),
      description: `${spec.description} Direction: ${spec.direction}; QoS ${spec.qos}; retain ${spec.retain}.`,
      parameters,
      messages: { [spec.kind]: { $ref: `#/components/messages/${messageName}` } },
    };
    const uplink = spec.direction === 'uplink';
    operations[`${uplink ? 'receive' : 'send'}${capitalize(spec.kind)}`] = {
      action: uplink ? 'receive' : 'send',
      title: uplink ? `Hub publishes ${spec.kind}` : `Gateway publishes ${spec.kind}`,
      summary: spec.description,
      channel: { $ref: `#/channels/${spec.kind}` },
      messages: [{ $ref: `#/channels/${spec.kind}/messages/${spec.kind}` }],
      bindings: { mqtt: { qos: spec.qos, retain: spec.retain, bindingVersion: '0.2.0' } },
    };
  }

  const serverBindings = {
    mqtt: {
      cleanSession: false,
      keepAlive: 60,
      lastWill: { topic: 'forecare/v1/{hubId}/status', qos: 1, message: '{"state":"offline","ts":0}', retain: true },
      bindingVersion: '0.2.0',
    },
  };
  return {
    asyncapi: '3.1.0',
    id: 'urn:forecare:firmware-contracts:v1',
    info: {
      title: 'forecare hub ↔ gateway wire contract',
      version: CONTRACT_VERSION,
      description: description(),
      license: { name: 'Apache-2.0', url: 'https://www.apache.org/licenses/LICENSE-2.0' },
      tags: [{ name: 'mqtt' }, { name: 'appliances' }],
    },
    defaultContentType: 'application/json',
    servers: {
      mqtt: { host: '{host}:1883', protocol: 'mqtt', protocolVersion: '3.1.1', description: 'Plain TCP (development and private networks).', variables: { host: { default: 'localhost' } }, bindings: serverBindings },
      mqtts: { host: '{host}:8883', protocol: 'secure-mqtt', protocolVersion: '3.1.1', description: 'MQTT over TLS, for hubs in the field. Off unless FORECARE_MQTTS_PORT, FORECARE_TLS_CERT and FORECARE_TLS_KEY are set.', variables: { host: { default: 'localhost' } }, bindings: serverBindings },
      // Its own listener (FORECARE_MQTT_WS_PORT, off unless set), not the HTTP API's port.
      ws: {
        host: '{host}:{port}',
        pathname: '/mqtt',
        protocol: 'ws',
        protocolVersion: '3.1.1',
        description: 'MQTT over WebSocket (subprotocol `mqtt`), for hubs behind proxies that pass only HTTP. Off unless FORECARE_MQTT_WS_PORT is set; docker-compose.yml serves it on 8083.',
        variables: { host: { default: 'localhost' }, port: { default: '8083', description: 'FORECARE_MQTT_WS_PORT' } },
        bindings: serverBindings,
      },
    },
    channels,
    operations,
    components: { schemas: { ...schemas, ...catalogSchemas() }, messages },
  };
}

export function renderAsyncApiYaml(): string {
  return `# Generated by \`npm run build:assets -w firmware-contracts\` from src/schemas and src/topics.ts. Do not edit.\n${stringify(asyncApiDocument(), { lineWidth: 0, aliasDuplicateObjects: false })}`;
}
