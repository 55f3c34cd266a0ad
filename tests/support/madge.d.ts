// madge ships no types; this declares the part of its API the import-cycle test uses.
declare module 'madge' {
  interface MadgeConfig {
    fileExtensions?: string[];
    tsConfig?: string;
  }
  interface MadgeResult {
    /** Each cycle as the list of files (relative to the scanned folder) that import each other in a ring. */
    circular(): string[][];
    obj(): Record<string, string[]>;
  }
  export default function madge(path: string | string[], config?: MadgeConfig): Promise<MadgeResult>;
}
