import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { parseWeather, type WeatherProblem, type WeatherTable } from '../forecast/weather.js';

/**
 * The optional weather feed: daily mean temperature per region, past and forecast, pulled
 * from an HTTP endpoint (CSV or JSON) or read from a drop folder of CSV/JSON files (merged in
 * name order, a later file overriding an earlier one's day). A feed that cannot be read makes
 * the forecast go on without weather, saying why; it never stops it.
 */
export type WeatherSource = { readonly kind: 'http'; readonly url: string } | { readonly kind: 'folder'; readonly dir: string };

export interface WeatherReading {
  /** ok: read without problems; partial: read, some rows refused; down: nothing usable; off: no feed configured. */
  readonly status: 'ok' | 'partial' | 'down' | 'off';
  readonly source: string;
  readonly table: WeatherTable | undefined;
  readonly problems: readonly WeatherProblem[];
  /** Why the feed is down. */
  readonly error: string | undefined;
}

/** A weather document larger than this is refused rather than buffered (a year of days for a few hundred regions fits easily). */
export const MAX_WEATHER_BYTES = 8 * 1024 * 1024;
const FILES = new Set(['.csv', '.json']);

export function weatherSource(setting: string): WeatherSource | undefined {
  const s = setting.trim();
  if (s === '') return undefined;
  return /^https?:\/\//i.test(s) ? { kind: 'http', url: s } : { kind: 'folder', dir: s };
}

export function describeSource(source: WeatherSource | undefined): string {
  if (source === undefined) return 'none';
  if (source.kind === 'folder') return `folder ${source.dir}`;
  // Never show credentials a URL may carry.
  const u = new URL(source.url);
  return `${u.protocol}//${u.host}${u.pathname}`;
}

export class WeatherFeed {
  constructor(
    private readonly source: WeatherSource | undefined,
    private readonly timeoutMs = 10_000,
  ) {}

  async read(regions: ReadonlySet<string>): Promise<WeatherReading> {
    const source = describeSource(this.source);
    if (this.source === undefined) return { status: 'off', source, table: undefined, problems: [], error: undefined };
    try {
      const docs = this.source.kind === 'http' ? [await this.fetchDoc(this.source.url)] : await this.folderDocs(this.source.dir);
      const temps = new Map<string, Map<string, number>>();
      const problems: WeatherProblem[] = [];
      for (const doc of docs) {
        const t = parseWeather(doc.text, doc.format, regions, temps);
        problems.push(...t.problems.map((p) => (docs.length > 1 ? { ...p, reason: `${doc.name}: ${p.reason}` } : p)));
      }
      const table: WeatherTable = { temps, problems };
      if (temps.size === 0) return { status: 'down', source, table: undefined, problems, error: problems[0]?.reason ?? 'the feed has no usable rows' };
      return { status: problems.length === 0 ? 'ok' : 'partial', source, table, problems, error: undefined };
    } catch (err) {
      return { status: 'down', source, table: undefined, problems: [], error: err instanceof Error ? err.message : String(err) };
    }
  }

  private async fetchDoc(url: string): Promise<{ name: string; text: string; format: 'csv' | 'json' | 'auto' }> {
    let res: Response;
    try {
      res = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs), headers: { accept: 'text/csv, application/json' } });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      throw new Error(`weather feed unreachable: ${cause ?? (err instanceof Error ? err.message : String(err))}`);
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new Error(`weather feed answered HTTP ${res.status}`);
    }
    const declared = Number(res.headers.get('content-length') ?? '0');
    if (declared > MAX_WEATHER_BYTES) {
      await res.body?.cancel();
      throw new Error(`weather feed sent ${declared} bytes, more than ${MAX_WEATHER_BYTES}`);
    }
    const text = await readLimited(res);
    const type = res.headers.get('content-type') ?? '';
    return { name: 'feed', text, format: type.includes('json') ? 'json' : type.includes('csv') ? 'csv' : 'auto' };
  }

  private async folderDocs(dir: string): Promise<{ name: string; text: string; format: 'csv' | 'json' | 'auto' }[]> {
    let names: string[];
    try {
      names = (await readdir(dir)).filter((n) => FILES.has(extname(n).toLowerCase())).sort();
    } catch (err) {
      throw new Error(`weather folder ${dir} cannot be read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    if (names.length === 0) throw new Error(`weather folder ${dir} has no .csv or .json files`);
    const docs = [];
    for (const name of names) {
      const file = join(dir, name);
      if ((await stat(file)).size > MAX_WEATHER_BYTES) throw new Error(`${name} is larger than ${MAX_WEATHER_BYTES} bytes`);
      docs.push({ name, text: await readFile(file, 'utf8'), format: extname(name).toLowerCase() === '.json' ? ('json' as const) : ('csv' as const) });
    }
    return docs;
  }
}

/** The body as text, refused once it passes the size limit (a chunked body has no length to check first). */
async function readLimited(res: Response): Promise<string> {
  const reader = res.body?.getReader();
  if (reader === undefined) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_WEATHER_BYTES) {
      await reader.cancel();
      throw new Error(`weather feed sent more than ${MAX_WEATHER_BYTES} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
