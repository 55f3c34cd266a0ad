import { describe, expect, it } from 'vitest';
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
});
