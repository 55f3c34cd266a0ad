/**
 * Hard limits of the v1 wire contract. They protect everything downstream of the validator:
 * a 10 000-level array parses fine but makes `JSON.stringify` (journal, dead letters, logs)
 * overflow the stack, and a multi-megabyte payload ties up the event loop.
 */

/** Largest accepted payload in bytes. Split bigger telemetry batches into several messages. */
export const MAX_PAYLOAD_BYTES = 256 * 1024;

/** Deepest accepted nesting of objects and arrays; the payload itself is depth 1. */
export const MAX_DEPTH = 32;

/** Most errors reported for one message; a last entry says when more were found. */
export const MAX_ERRORS = 100;

/** RFC 6901 escaping of one reference token. */
export function escapePointerToken(token: string): string {
  return token.includes('~') || token.includes('/') ? token.replace(/~/g, '~0').replace(/\//g, '~1') : token;
}

/**
 * JSON pointer of the first object or array nested deeper than `max`, or null when the
 * value stays within. Recursion is bounded by `max`, so hostile depth cannot overflow the stack.
 */
export function firstTooDeep(value: unknown, max: number = MAX_DEPTH): string | null {
  const path = tooDeep(value, 1, max);
  return path === null ? null : path.reverse().map((t) => `/${escapePointerToken(t)}`).join('');
}

function tooDeep(value: unknown, depth: number, max: number): string[] | null {
  if (typeof value !== 'object' || value === null) return null;
  if (depth > max) return [];
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item !== 'object' || item === null) continue;
      const path = tooDeep(item, depth + 1, max);
      if (path !== null) {
        path.push(String(i));
        return path;
      }
    }
    return null;
  }
  const record = value as Record<string, unknown>;
  // for-in, not Object.keys: no array per object on the hot path. JSON.parse objects have no
  // inherited enumerable keys; for other values inherited ones are merely checked too.
  for (const key in record) {
    const item = record[key];
    if (typeof item !== 'object' || item === null) continue;
    const path = tooDeep(item, depth + 1, max);
    if (path !== null) {
      path.push(key);
      return path;
    }
  }
  return null;
}
