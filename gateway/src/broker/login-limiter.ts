/** How long a successful login keeps its (username, source) pair clear of the source and username limits. */
const KNOWN_PAIR_MS = 24 * 3_600_000;
const KNOWN_PAIRS_MAX = 200_000;
const KEYS_MAX = 100_000;

export interface LoginLimits {
  /** Failures of one username from one address before that pair is refused for the window. */
  readonly perPair: number;
  /** Failures from one address (any username) before its unknown pairs are refused for the window. */
  readonly perSource: number;
  /** Failures of one username from anywhere before its unknown pairs are slowed down (never refused). */
  readonly perUsername: number;
  /** The delay an unknown pair waits while its username is over `perUsername`. */
  readonly delayMs: number;
}

export type LoginVerdict =
  | { readonly kind: 'go'; readonly delayMs: 0 }
  | { readonly kind: 'slow'; readonly delayMs: number }
  | { readonly kind: 'refuse'; readonly limit: 'pair' | 'source'; readonly retryAfterMs: number };

/** The defaults from one setting (FORECARE_LOGIN_FAILURES_PER_MINUTE). */
export function loginLimits(perMinute: number): LoginLimits {
  return { perPair: perMinute, perSource: perMinute * 5, perUsername: perMinute * 3, delayMs: 1_000 };
}

/**
 * Failed-login throttling without handing an attacker a lockout (OWASP, "Blocking brute force
 * attacks"): guesses are counted per (username, source address) and per source address, and
 * only those are refused — without checking the password, so there is no scrypt work to burn.
 * Guesses at one username from many addresses only slow its unknown pairs down; a hub or user
 * that logged in from an address in the last day is held back by neither the address's nor the
 * username's count, so 1,500 guesses from one address never keep the real hub out elsewhere.
 *
 * Hand-written rather than rate-limiter-flexible: time is passed in (tests drive it), and the
 * known-pair allowance is ours.
 */
export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();
  /** `${username}\0${source}` → last successful login; oldest first (re-inserted on success). */
  private readonly known = new Map<string, number>();

  constructor(
    private readonly limits: LoginLimits,
    private readonly windowMs = 60_000,
  ) {}

  /**
   * What to do with a login about to be checked. One that goes ahead is counted as a failure at
   * once, so a burst of concurrent guesses cannot all slip under the limit before any has failed;
   * `succeeded` takes the count back.
   */
  begin(username: string, source: string, now: number): LoginVerdict {
    const verdict = this.judge(username, source, now);
    if (verdict.kind !== 'refuse') this.count(username, source, now);
    return verdict;
  }

  /** The verdict without counting (what `begin` would say). */
  judge(username: string, source: string, now: number): LoginVerdict {
    const pair = this.recent(`p:${username}\0${source}`, now);
    if (pair.length >= this.limits.perPair) return { kind: 'refuse', limit: 'pair', retryAfterMs: this.retryAfter(pair, now) };
    if (this.isKnown(username, source, now)) return { kind: 'go', delayMs: 0 };
    const src = this.recent(`s:${source}`, now);
    if (src.length >= this.limits.perSource) return { kind: 'refuse', limit: 'source', retryAfterMs: this.retryAfter(src, now) };
    if (this.recent(`u:${username}`, now).length >= this.limits.perUsername) return { kind: 'slow', delayMs: this.limits.delayMs };
    return { kind: 'go', delayMs: 0 };
  }

  /** A login succeeded: its count is taken back, its pair's failures forgotten, and the pair is known for a day. */
  succeeded(username: string, source: string, now: number): void {
    const key = `${username}\0${source}`;
    this.failures.delete(`p:${key}`);
    for (const k of [`s:${source}`, `u:${username}`]) {
      const times = this.failures.get(k);
      times?.pop();
      if (times?.length === 0) this.failures.delete(k);
    }
    this.known.delete(key);
    this.known.set(key, now);
    if (this.known.size > KNOWN_PAIRS_MAX) {
      for (const k of this.known.keys()) {
        this.known.delete(k);
        if (this.known.size <= KNOWN_PAIRS_MAX * 0.9) break;
      }
    }
  }

  private count(username: string, source: string, now: number): void {
    const caps: [string, number][] = [
      [`p:${username}\0${source}`, this.limits.perPair],
      [`s:${source}`, this.limits.perSource],
      [`u:${username}`, this.limits.perUsername],
    ];
    for (const [key, cap] of caps) {
      const times = this.recent(key, now);
      times.push(now);
      // Only the newest `cap` matter for the verdict; a flood does not grow the list.
      if (times.length > cap) times.splice(0, times.length - cap);
      this.failures.set(key, times);
    }
    // Bound memory under a flood of distinct usernames or addresses: the longest-counted keys go first.
    if (this.failures.size > KEYS_MAX) {
      for (const key of this.failures.keys()) {
        this.failures.delete(key);
        if (this.failures.size <= KEYS_MAX / 2) break;
      }
    }
  }

  private isKnown(username: string, source: string, now: number): boolean {
    const at = this.known.get(`${username}\0${source}`);
    return at !== undefined && now - at < KNOWN_PAIR_MS;
  }

  private recent(key: string, now: number): number[] {
    const all = this.failures.get(key);
    if (all === undefined) return [];
    const times = all.filter((t) => t > now - this.windowMs);
    if (times.length === 0) this.failures.delete(key);
    else this.failures.set(key, times);
    return times;
  }

  /** When the oldest counted failure leaves the window. */
  private retryAfter(times: readonly number[], now: number): number {
    return Math.max(1_000, (times[0] ?? now) + this.windowMs - now);
  }
}
