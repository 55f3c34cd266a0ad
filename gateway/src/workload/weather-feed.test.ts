import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { describeSource, MAX_WEATHER_BYTES, WeatherFeed, weatherSource } from './weather-feed.js';

const regions = new Set(['East', 'North']);
const servers: Server[] = [];
const dirs: string[] = [];

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/weather`;
}

afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('weather feed over HTTP', () => {
  it('reads JSON by its content type', async () => {
    const url = await serve((_q, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('[{"date":"2026-07-01","region":"East","tempC":31}]'));
    const r = await new WeatherFeed({ kind: 'http', url }).read(regions);
    expect(r.status).toBe('ok');
    expect(r.table?.temps.get('East')?.get('2026-07-01')).toBe(31);
  });

  it('refuses a body past the size limit, declared or chunked, without buffering it', async () => {
    const declared = await serve((_q, res) => res.writeHead(200, { 'content-type': 'text/csv', 'content-length': String(MAX_WEATHER_BYTES + 1) }).end());
    expect((await new WeatherFeed({ kind: 'http', url: declared }).read(regions)).error).toBe(`weather feed sent ${MAX_WEATHER_BYTES + 1} bytes, more than ${MAX_WEATHER_BYTES}`);
    const chunked = await serve((_q, res) => {
      res.writeHead(200, { 'content-type': 'text/csv' });
      const chunk = Buffer.alloc(1024 * 1024, 0x41);
      let sent = 0;
      const more = (): void => {
        while (sent < 10 && res.write(chunk)) sent++;
        if (sent < 10) res.once('drain', more);
        else res.end();
      };
      more();
    });
    const r = await new WeatherFeed({ kind: 'http', url: chunked }).read(regions);
    expect(r.status).toBe('down');
    expect(r.error).toBe(`weather feed sent more than ${MAX_WEATHER_BYTES} bytes`);
  });

  it('gives up on a feed that does not answer in time', async () => {
    const url = await serve(() => undefined);
    const r = await new WeatherFeed({ kind: 'http', url }, 300).read(regions);
    expect(r.status).toBe('down');
    expect(r.error).toMatch(/^weather feed unreachable: /);
  });

  it('is down, with the reason, when every row is refused', async () => {
    const url = await serve((_q, res) => res.writeHead(200, { 'content-type': 'text/csv' }).end('date,region,temp_c\n2026-07-01,East,n/a\n'));
    const r = await new WeatherFeed({ kind: 'http', url }).read(regions);
    expect(r.status).toBe('down');
    expect(r.error).toBe('line 2: temperature "n/a" for East on 2026-07-01 is not a number');
  });

  it('never shows credentials of the feed URL', () => {
    expect(describeSource(weatherSource('https://user:secret@weather.example/d.csv?key=abc'))).toBe('https://weather.example/d.csv');
  });
});

describe('weather drop folder', () => {
  function folder(files: Record<string, string>): string {
    const dir = mkdtempSync(join(tmpdir(), 'forecare-weather-'));
    dirs.push(dir);
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return dir;
  }

  it('merges the files in name order, a later file overriding a day, and names the file of each problem', async () => {
    const dir = folder({
      '2026-07-01.csv': 'date,region,temp_c\n2026-07-01,East,30\n2026-07-02,East,28\n',
      '2026-07-02.csv': 'date,region,temp_c\n2026-07-02,East,33\n2026-07-02,Mars,-60\n',
      'notes.txt': 'ignored',
    });
    const r = await new WeatherFeed({ kind: 'folder', dir }).read(regions);
    expect(r.status).toBe('partial');
    expect(r.table?.temps.get('East')).toEqual(new Map([['2026-07-01', 30], ['2026-07-02', 33]]));
    expect(r.problems.map((p) => p.reason)).toEqual(['2026-07-02.csv: region "Mars" is not a region of any customer (1 row ignored)']);
  });

  it('is down when the folder is missing or holds no weather files', async () => {
    expect((await new WeatherFeed({ kind: 'folder', dir: '/nonexistent/forecare-weather' }).read(regions)).error).toBe('weather folder /nonexistent/forecare-weather cannot be read: ENOENT');
    const empty = folder({ 'readme.md': '#' });
    expect((await new WeatherFeed({ kind: 'folder', dir: empty }).read(regions)).error).toBe(`weather folder ${empty} has no .csv or .json files`);
    expect((await new WeatherFeed(undefined).read(regions)).status).toBe('off');
  });
});
