/** How long a successful login keeps its (username, source) pair clear of the source limit. */
const KNOWN_PAIR_MS = 24 * 3_600_000;
const KNOWN_PAIRS_MAX = 200_000;

/**
 * Failed-login limits per hub id and per source address, in a sliding minute. Once over
 * the limit, attempts are refused without checking the password (no scrypt work for an
 * attacker to burn), until the window has passed.
 *
 * Hubs often share one address (a carrier's NAT, a building's router): a source over its limit
 * still lets in a username that logged in from that address within the last day, so a few
 * broken or hostile hubs behind it do not lock out the others. Its own per-id limit still holds.
 */
export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();
  /** `${username}\0${source}` → last successful login; oldest first (re-inserted on success). */
  private readonly known = new Map<string, number>();

  constructor(
    private readonly perHubPerMinute: number,
    private readonly perSourcePerMinute: number,
    private readonly windowMs = 60_000,
  ) {}

  /** A login succeeded: the pair is known for a day. */
  succeeded(hubId: string, source: string, now: number): void {
    const key = `${hubId}\0${source}`;
    this.known.delete(key);
    this.known.set(key, now);
    if (this.known.size > KNOWN_PAIRS_MAX) {
      for (const k of this.known.keys()) {
        this.known.delete(k);
        if (this.known.size <= KNOWN_PAIRS_MAX * 0.9) break;
      }
    }
  }

  private isKnown(hubId: string, source: string, now: number): boolean {
    const at = this.known.get(`${hubId}\0${source}`);
    return at !== undefined && now - at < KNOWN_PAIR_MS;
  }

  private recent(key: string, now: number): number[] {
    const times = (this.failures.get(key) ?? []).filter((t) => t > now - this.windowMs);
    if (times.length === 0) this.failures.delete(key);
    else this.failures.set(key, times);
    return times;
  }

  /** Which limit is exceeded, if any. */
  blocked(hubId: string, source: string, now: number): 'hub' | 'source' | undefined {
    if (this.recent(`hub:${hubId}`, now).length >= this.perHubPerMinute) return 'hub';
    if (this.recent(`src:${source}`, now).length >= this.perSourcePerMinute && !this.isKnown(hubId, source, now)) return 'source';
    return undefined;
  }

  fail(hubId: string, source: string, now: number): void {
    for (const key of [`hub:${hubId}`, `src:${source}`]) {
      const times = this.recent(key, now);
      times.push(now);
      this.failures.set(key, times);
    }
    // Bound memory under a flood of distinct ids.
    if (this.failures.size > 100_000) {
      for (const key of this.failures.keys()) {
        this.recent(key, now);
        if (this.failures.size <= 50_000) break;
      }
    }
  }
}
