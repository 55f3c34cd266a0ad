/**
 * When a per-key row was last written, so that rows kept to the minute (presence) or to ten
 * seconds (chart history) are not written per message. A clock step back counts as due.
 */
export class WrittenAt {
  private readonly byKey = new Map<string, number>();

  /** true (and remembers `at`) when `key` was last written `every` ms ago or more, or never. */
  due(key: string, at: number, every: number): boolean {
    const last = this.byKey.get(key);
    if (last !== undefined && at - last < every && at >= last) return false;
    if (this.byKey.size > 1_000_000) this.byKey.clear();
    this.byKey.set(key, at);
    return true;
  }
}

/** `WrittenAt` for an appliance, keyed by hub then appliance id (no key string built per message; ids repeat across hubs). */
export class ApplianceWrittenAt {
  private readonly byHub = new Map<string, WrittenAt>();

  due(hubId: string, applianceId: string, at: number, every: number): boolean {
    let ofHub = this.byHub.get(hubId);
    if (ofHub === undefined) {
      if (this.byHub.size > 200_000) this.byHub.clear();
      ofHub = new WrittenAt();
      this.byHub.set(hubId, ofHub);
    }
    return ofHub.due(applianceId, at, every);
  }
}
