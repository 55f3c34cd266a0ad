import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT, writeAssets } from './assets.js';
import { renderAssets } from './render.js';

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name)));
}

describe('generated assets', () => {
  const assets = renderAssets();

  it('the committed generated files are current (run `npm run build:assets -w firmware-contracts` after changing the contract)', async () => {
    const stale: string[] = [];
    for (const [path, content] of assets) {
      const onDisk = await readFile(join(PACKAGE_ROOT, path), 'utf8').catch(() => null);
      if (onDisk !== content) stale.push(path);
    }
    expect(stale).toEqual([]);
  });

  it('no fixture file is left over from a fixture that no longer exists', async () => {
    const onDisk = (await listFiles(join(PACKAGE_ROOT, 'fixtures'))).map((p) => `fixtures/${p.split('\\').join('/')}`);
    expect(onDisk.sort()).toEqual([...assets.keys()].filter((p) => p.startsWith('fixtures/')).sort());
  });

  it('the build step writes every asset', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fc-assets-'));
    try {
      const written = await writeAssets(dir);
      expect(written.sort()).toEqual([...assets.keys()].sort());
      const first = written[0] ?? '';
      expect(await readFile(join(dir, first), 'utf8')).toBe(assets.get(first));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
