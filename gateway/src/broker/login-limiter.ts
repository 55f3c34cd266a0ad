/**
 * Failed-login limits per hub id and per source address, in a sliding minute. Once over
 * the limit, attempts are refused without checking the password (no scrypt work for an
 * attacker to burn), until the window has passed.
 */
export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly perHubPerMinute: number,
    private readonly perSourcePerMinute: number,
    private readonly windowMs = 60_000,
  ) {}

  private recent(key: string, now: number): number[] {
    const times = (this.failures.get(key) ?? []).filter((t) => t > now - this.windowMs);
    if (times.length === 0) this.failures.delete(key);
    else this.failures.set(key, times);
    return times;
  }

  /** Which limit is exceeded, if any. */
  blocked(hubId: string, source: string, now: number): 'hub' | 'source' | undefined {
    if (this.recent(`hub:${hubId}`, now).length >= this.perHubPerMinute) return 'hub';
    if (this.recent(`src:${source}`, now).length >= this.perSourcePerMinute) return 'source';
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
