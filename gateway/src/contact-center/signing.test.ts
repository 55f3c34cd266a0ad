import { describe, expect, it } from 'vitest';
import { ContactCenterSim } from '@forecare/device-sim';
import { generateSecret, sign, signatureHeader, verify } from './signing.js';

describe('Standard Webhooks signing', () => {
  it('matches the specification example', () => {
    // Example from the Standard Webhooks specification.
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const body = '{"test": 2432232314}';
    expect(sign(secret, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, body)).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('rotation: the first secret signs, both verify; forgeries and stale timestamps are refused', () => {
    const oldSecret = generateSecret();
    const newSecret = generateSecret();
    const body = '{"a":1}';
    const header = signatureHeader([newSecret, oldSecret], 'msg_1', 1000, body);
    expect(header).toBe(sign(newSecret, 'msg_1', 1000, body));
    expect(header.split(' ')).toHaveLength(1);
    const fromOld = sign(oldSecret, 'msg_1', 1000, body);
    expect(verify([newSecret, oldSecret], { id: 'msg_1', timestamp: '1000', signature: header, body }, 1000)).toEqual({ ok: true });
    expect(verify([newSecret, oldSecret], { id: 'msg_1', timestamp: '1000', signature: fromOld, body }, 1000)).toEqual({ ok: true });
    expect(verify([newSecret], { id: 'msg_1', timestamp: '1000', signature: fromOld, body }, 1000).ok).toBe(false);
    expect(verify([newSecret], { id: 'msg_1', timestamp: '1000', signature: header, body: '{"a":2}' }, 1000).ok).toBe(false);
    expect(verify([newSecret], { id: 'msg_2', timestamp: '1000', signature: header, body }, 1000).ok).toBe(false);
    expect(verify([newSecret], { id: 'msg_1', timestamp: '1000', signature: header, body }, 1000 + 301).ok).toBe(false);
    expect(verify([newSecret], { id: 'msg_1', timestamp: '1000', signature: header, body }, 1000 - 301).ok).toBe(false);
  });

  it('refuses to sign without a secret', () => {
    expect(() => signatureHeader([], 'msg_1', 1000, '{}')).toThrow(expect.objectContaining({ code: 'GW_ERR_CONFIG_INVALID' }));
  });

  // The simulator keeps its own node:crypto implementation, so the library is checked against something it did not write.
  it('agrees both ways with the simulator\'s independent implementation', () => {
    const secret = generateSecret();
    const cc = new ContactCenterSim({ secret: [secret] });
    const body = '{"taskId":"t-1","outcome":"booked","note":"ünïcode ✓"}';
    const now = Math.floor(Date.now() / 1000);
    const headers = { 'webhook-id': 'msg_x', 'webhook-timestamp': String(now), 'webhook-signature': signatureHeader([secret], 'msg_x', now, body) };
    expect(cc.verify(headers, body)).toBe(true);
    expect(cc.verify({ ...headers, 'webhook-signature': signatureHeader([generateSecret()], 'msg_x', now, body) }, body)).toBe(false);
    const back = cc.sign('msg_y', body, now);
    expect(verify([secret], { id: back['webhook-id'], timestamp: back['webhook-timestamp'], signature: back['webhook-signature'], body }, now)).toEqual({ ok: true });
    expect(verify([secret], { id: back['webhook-id'], timestamp: back['webhook-timestamp'], signature: back['webhook-signature'], body: `${body} ` }, now).ok).toBe(false);
  });

  it('refuses timestamps that are not plain unix seconds, and signatures of another version or malformed', () => {
    const secret = generateSecret();
    const good = sign(secret, 'm', 1000, '{}');
    for (const timestamp of ['1e3', ' 1000', '1000.0', '-1000', '0x3e8', '9'.repeat(20)]) expect(verify([secret], { id: 'm', timestamp, signature: good, body: '{}' }, 1000).ok, timestamp).toBe(false);
    for (const signature of [good.replace('v1,', 'v2,'), 'v1,', 'v1', good.slice(0, -2), `${good}x`]) expect(verify([secret], { id: 'm', timestamp: '1000', signature, body: '{}' }, 1000).ok, signature).toBe(false);
    expect(verify([secret], { id: 'm', timestamp: '1000', signature: `v2,abc ${good}`, body: '{}' }, 1000)).toEqual({ ok: true });
  });
});
