import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The folder of package `name` as seen from `fromDir`, found from its entry point (not every package exports ./package.json). */
export function packageDir(fromDir: string, name: string): string {
  let dir = dirname(createRequire(join(fromDir, 'package.json')).resolve(name));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === name) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`no folder of ${name} above its entry point`);
    dir = up;
  }
}

/** What a package declares it needs at run time. */
export function dependenciesOf(dir: string): string[] {
  return Object.keys((JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }).dependencies ?? {});
}
