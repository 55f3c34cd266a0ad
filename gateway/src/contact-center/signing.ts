import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { GatewayError } from '../errors.js';

/**
 * Standard Webhooks signatures: `webhook-signature: v1,<base64 HMAC-SHA256(key, "${id}.${ts}.${body}")>`,
 * where the key is the base64 part of a `whsec_…` secret and ts is unix seconds. Secret
 * rotation: the configured secrets are newest first; the first one signs what we send, and
 * every one of them verifies what we receive, so a contact center that still signs its
 * callbacks with the old secret is heard while it moves to the new one.
 */
export const SECRET_PREFIX = 'whsec_';

export function generateSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64');
}

function keyOf(secret: string): Buffer {
  return Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
}

export function sign(secret: string, id: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', keyOf(secret)).update(`${id}.${timestampSeconds}.${body}`).digest('base64');
  return `v1,${mac}`;
}

/** The `webhook-signature` header of what we send: signed with the first (newest) secret. */
export function signatureHeader(secrets: readonly string[], id: string, timestampSeconds: number, body: string): string {
  const [signing] = secrets;
  if (signing === undefined) throw new GatewayError('GW_ERR_CONFIG_INVALID', 'no contact-center signing secret configured');
  return sign(signing, id, timestampSeconds, body);
}

export interface VerifyInput {
  readonly id: string | undefined;
  readonly timestamp: string | undefined;
  readonly signature: string | undefined;
  readonly body: string;
}

/** Tolerance for `webhook-timestamp` against our clock, both ways (replay window). */
export const TIMESTAMP_TOLERANCE_S = 300;

export function verify(secrets: readonly string[], input: VerifyInput, nowSeconds: number): { ok: true } | { ok: false; reason: string } {
  if (!input.id || !input.timestamp || !input.signature) return { ok: false, reason: 'missing webhook-id, webhook-timestamp or webhook-signature' };
  const ts = Number(input.timestamp);
  if (!Number.isInteger(ts)) return { ok: false, reason: 'webhook-timestamp is not unix seconds' };
  if (Math.abs(nowSeconds - ts) > TIMESTAMP_TOLERANCE_S) return { ok: false, reason: 'webhook-timestamp outside the tolerance window' };
  const offered = input.signature.split(' ').filter((s) => s.startsWith('v1,')).map((s) => Buffer.from(s.slice(3), 'base64'));
  for (const secret of secrets) {
    const expected = Buffer.from(sign(secret, input.id, ts, input.body).slice(3), 'base64');
    if (offered.some((o) => o.length === expected.length && timingSafeEqual(o, expected))) return { ok: true };
  }
  return { ok: false, reason: 'no signature matches' };
}
