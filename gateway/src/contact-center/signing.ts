import { randomBytes, timingSafeEqual } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { GatewayError } from '../errors.js';

/**
 * Standard Webhooks signatures: `webhook-signature: v1,<base64 HMAC-SHA256(key, "${id}.${ts}.${body}")>`,
 * where the key is the base64 part of a `whsec_…` secret and ts is unix seconds. Secret
 * rotation: the configured secrets are newest first; the first one signs what we send, and
 * every one of them verifies what we receive, so a contact center that still signs its
 * callbacks with the old secret is heard while it moves to the new one.
 *
 * The signature itself comes from the `standardwebhooks` library (the reference
 * implementation). Its own `verify` reads the wall clock; ours takes the gateway's injected
 * clock for the timestamp window and lets the library compute what each secret would have signed.
 */
export const SECRET_PREFIX = 'whsec_';

export function generateSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64');
}

/** The library's signer for a `whsec_` secret; a secret it cannot read is a configuration error, named without its value. */
function webhookOf(secret: string): Webhook {
  try {
    return new Webhook(secret);
  } catch (err) {
    throw new GatewayError('GW_ERR_CONFIG_INVALID', `FORECARE_CONTACT_CENTER_SECRET: a secret is not a whsec_ base64 key (${(err as Error).message})`);
  }
}

/** Throws GW_ERR_CONFIG_INVALID unless every secret can sign: checked at start, not at the first delivery. */
export function checkSecrets(secrets: readonly string[]): void {
  for (const s of secrets) webhookOf(s);
}

export function sign(secret: string, id: string, timestampSeconds: number, body: string): string {
  return webhookOf(secret).sign(id, new Date(timestampSeconds * 1000), body);
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
  if (!/^\d{1,12}$/.test(input.timestamp)) return { ok: false, reason: 'webhook-timestamp is not unix seconds' };
  const ts = Number(input.timestamp);
  if (Math.abs(nowSeconds - ts) > TIMESTAMP_TOLERANCE_S) return { ok: false, reason: 'webhook-timestamp outside the tolerance window' };
  // Space-separated `v1,<sig>` entries; other versions are skipped as the specification says.
  const offered = input.signature.split(' ').filter((s) => s.startsWith('v1,')).map((s) => Buffer.from(s));
  for (const secret of secrets) {
    const expected = Buffer.from(sign(secret, input.id, ts, input.body));
    if (offered.some((o) => o.length === expected.length && timingSafeEqual(o, expected))) return { ok: true };
  }
  return { ok: false, reason: 'no signature matches' };
}
