import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ID_PATTERN_SOURCE } from './ids.js';
import { PAYLOAD_SCHEMAS } from './schemas/by-topic.js';
import { TOPIC_SPECS, hubIdOfTopic, parseTopic, topics, type ParsedTopic, type TopicKind } from './topics.js';

describe('topic tree', () => {
  it('parses appliance and hub topics it builds', () => {
    expect(parseTopic(topics.telemetry('hub-1', 'fridge-1'))).toEqual({ version: 'v1', hubId: 'hub-1', kind: 'telemetry', applianceId: 'fridge-1' });
    expect(parseTopic(topics.heartbeat('hub-1'))).toEqual({ version: 'v1', hubId: 'hub-1', kind: 'heartbeat' });
  });
  it('refuses topics outside the tree, wildcards and bad ids', () => {
    expect(parseTopic('forecare/v1/hub-1/appliances/+/telemetry')).toBeNull();
    expect(parseTopic('forecare/v2/hub-1/status')).toBeNull();
    expect(parseTopic('forecare/v1/hub 1/status')).toBeNull();
    expect(parseTopic('$SYS/broker')).toBeNull();
    expect(hubIdOfTopic('forecare/v1/#')).toBeNull();
  });
  it('takes ids of up to 64 characters, not 65, at both levels', () => {
    const [ok, long] = ['a'.repeat(64), 'a'.repeat(65)];
    expect(parseTopic(topics.telemetry(ok, ok))).not.toBeNull();
    expect(parseTopic(topics.telemetry(ok, long))).toBeNull();
    expect(parseTopic(topics.status(long))).toBeNull();
  });
});

describe('parseTopic against the id rules (property)', () => {
  const ID = new RegExp(ID_PATTERN_SOURCE);
  /** The plain reading of the tree: split on '/', check each level. */
  function reference(topic: string): ParsedTopic | null {
    const l = topic.split('/');
    if (l[0] !== 'forecare' || l[1] !== 'v1' || !ID.test(l[2] ?? '')) return null;
    const hubId = l[2] ?? '';
    if (l.length === 4 && ['status', 'heartbeat', 'notices'].includes(l[3] ?? '')) return { version: 'v1', hubId, kind: l[3] as TopicKind };
    if (l.length === 6 && l[3] === 'appliances' && ID.test(l[4] ?? '') && ['telemetry', 'fault', 'inventory'].includes(l[5] ?? '')) {
      return { version: 'v1', hubId, kind: l[5] as TopicKind, applianceId: l[4] ?? '' };
    }
    return null;
  }
  const id = fc.oneof(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/), fc.string({ maxLength: 70 }), fc.constantFrom('', '+', '#', 'a b', 'a\u0000', '.a', 'a'.repeat(64), 'a'.repeat(65), 'é'));
  const kind = fc.constantFrom('status', 'heartbeat', 'notices', 'telemetry', 'fault', 'inventory', 'selfie', '', 'status/extra');
  const topic = fc.oneof(
    fc.tuple(id, kind).map(([h, k]) => `forecare/v1/${h}/${k}`),
    fc.tuple(id, id, kind).map(([h, a, k]) => `forecare/v1/${h}/appliances/${a}/${k}`),
    fc.string({ maxLength: 80 }),
  );

  it('agrees with the plain split-and-check reading, also when asked twice (cached)', () => {
    fc.assert(
      fc.property(topic, (t) => {
        expect(parseTopic(t)).toEqual(reference(t));
        expect(parseTopic(t)).toEqual(reference(t));
      }),
      { numRuns: 3000 },
    );
  });

  it('hands out frozen results, so a caller cannot change what the next caller gets', () => {
    const parsed = parseTopic(topics.fault('hub-9', 'oven-1'));
    expect(Object.isFrozen(parsed)).toBe(true);
  });
});

describe('TOPIC_SPECS', () => {
  it('names the payload schema of every topic, as PAYLOAD_SCHEMAS has it', () => {
    expect(TOPIC_SPECS.map((s) => s.kind).sort()).toEqual(Object.keys(PAYLOAD_SCHEMAS).sort());
    for (const spec of TOPIC_SPECS) expect(spec.schema, spec.kind).toBe(PAYLOAD_SCHEMAS[spec.kind].name);
  });
});
