import { describe, expect, it } from 'vitest';
import { hubIdentity, maySubscribe, readOnlyIdentity } from './identity.js';

describe('subscription ACL by role', () => {
  const hub = hubIdentity('hub-1', 'hub-1-a');
  const service = readOnlyIdentity('service', 'crm');
  const admin = readOnlyIdentity('admin', 'ops');

  it('keeps a hub under its own prefix, wildcards included', () => {
    expect(maySubscribe(hub, 'forecare/v1/hub-1/notices')).toBe(true);
    expect(maySubscribe(hub, 'forecare/v1/hub-1/#')).toBe(true);
    expect(maySubscribe(hub, 'forecare/v1/hub-10/notices')).toBe(false);
    expect(maySubscribe(hub, 'forecare/v1/+/notices')).toBe(false);
    expect(maySubscribe(hub, '$SYS/#')).toBe(false);
  });

  it('lets a service read the fleet tree only', () => {
    expect(maySubscribe(service, 'forecare/v1/+/notices')).toBe(true);
    expect(maySubscribe(service, 'forecare/v1/#')).toBe(true);
    expect(maySubscribe(service, 'forecare/#')).toBe(false);
    expect(maySubscribe(service, '#')).toBe(false);
    expect(maySubscribe(service, '$SYS/#')).toBe(false);
  });

  it('lets an admin read anything', () => {
    expect(maySubscribe(admin, '$SYS/#')).toBe(true);
    expect(maySubscribe(admin, '#')).toBe(true);
  });

  it('gives only hubs a publisher (the read-only roles cannot reach ingest)', () => {
    expect(hub.publisher).toEqual({ hubId: 'hub-1', clientId: 'hub-1-a' });
    expect(hub.prefix).toBe('forecare/v1/hub-1/');
    expect(service.publisher).toBeNull();
    expect(admin.prefix).toBeNull();
  });
});
