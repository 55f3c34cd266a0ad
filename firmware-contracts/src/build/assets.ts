/**
 * Build step (`npm run build:assets -w firmware-contracts`): writes the generated files that are
 * committed beside the sources — golden fixtures, the AsyncAPI document, the Markdown docs.
 * A test regenerates them in memory and fails when the committed copies are stale.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderAssets } from './render.js';

export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export async function writeAssets(root: string = PACKAGE_ROOT): Promise<string[]> {
  const assets = renderAssets();
  await rm(join(root, 'fixtures'), { recursive: true, force: true }); // wholly generated: drop fixtures that no longer exist
  for (const [path, content] of assets) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
  return [...assets.keys()];
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeAssets().then(
    (paths) => console.log(`firmware-contracts: wrote ${paths.length} generated files`),
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
