/** Deployed rule versions as a port: a numbered, append-only history of rule sets. */

export interface RuleVersionRecord {
  readonly version: number;
  readonly author: string;
  readonly message: string;
  readonly createdAt: number;
  /** The whole rule set as JSON. */
  readonly rules: string;
  /** The diff against the version before as JSON ('' for the first, or one recorded from the rule files). */
  readonly diff: string;
}

export interface RuleVersionStore {
  /** The highest version, undefined before the first. */
  latest(): Promise<RuleVersionRecord | undefined>;
  /** Every version, newest first. */
  list(): Promise<RuleVersionRecord[]>;
  get(version: number): Promise<RuleVersionRecord | undefined>;
  /**
   * Records a version. A number already taken is refused with GW_ERR_RULES_STALE: another
   * deploy got there first (in a cluster, on another node), and nothing is overwritten.
   */
  add(record: RuleVersionRecord): Promise<void>;
}
