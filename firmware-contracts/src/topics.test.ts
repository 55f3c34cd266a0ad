import { describe, expect, it } from 'vitest';
import { hubIdOfTopic, parseTopic, topics } from './topics.js';

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
});
