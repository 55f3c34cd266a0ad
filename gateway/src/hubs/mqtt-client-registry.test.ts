import { describe, expect, it } from 'vitest';
import { mqttClientUsername, parseMqttClientUsername } from './mqtt-client-registry.js';

describe('MQTT account usernames', () => {
  it('are {role}:{name} and parse back', () => {
    expect(mqttClientUsername('service', 'node-red')).toBe('service:node-red');
    expect(parseMqttClientUsername('service:node-red')).toEqual({ role: 'service', name: 'node-red' });
    expect(parseMqttClientUsername('admin:ops')).toEqual({ role: 'admin', name: 'ops' });
  });

  it('never match a hub id (no colon) or an unknown role', () => {
    expect(parseMqttClientUsername('hub-0001')).toBeUndefined();
    expect(parseMqttClientUsername('hub:x')).toBeUndefined();
    expect(parseMqttClientUsername('services:x')).toBeUndefined();
    expect(parseMqttClientUsername(':x')).toBeUndefined();
  });
});
