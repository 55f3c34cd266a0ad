import { describe, expect, it } from 'vitest';
import { ClientIdOwners } from './client-ids.js';
import { hubIdentity, readOnlyIdentity } from './identity.js';

describe('client id ownership', () => {
  const a = hubIdentity('hub-a', 'x');
  const b = hubIdentity('hub-b', 'x');

  it('refuses another identity while the id is held, and frees it when the last holder closes', () => {
    const owners = new ClientIdOwners();
    expect(owners.claim('x', a, true)).toBe(true);
    expect(owners.claim('x', b, true)).toBe(false);
    expect(owners.claim('x', a, true)).toBe(true); // takeover by the same hub
    owners.release('x');
    expect(owners.claim('x', b, true)).toBe(false);
    owners.release('x');
    expect(owners.claim('x', b, true)).toBe(true);
  });

  it('keeps a persistent session its owner\'s after the connection closes, until a clean connect ends it', () => {
    const owners = new ClientIdOwners();
    owners.claim('p', a, false);
    owners.release('p');
    expect(owners.claim('p', b, false)).toBe(false);
    expect(owners.claim('p', a, true)).toBe(true);
    owners.release('p');
    expect(owners.size).toBe(0);
  });

  it('tells a hub and an account of the same name apart', () => {
    const owners = new ClientIdOwners();
    owners.claim('n', hubIdentity('ops', 'n'), true);
    expect(owners.claim('n', readOnlyIdentity('admin', 'ops'), true)).toBe(false);
  });
});
