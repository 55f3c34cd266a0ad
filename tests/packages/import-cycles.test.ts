import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import madge from 'madge';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Source folders whose modules must form no import cycle, type-only imports included: a
 * cycle makes load order matter and hides which module owns a type.
 */
const FOLDERS = ['firmware-contracts/src', 'rules/src', 'gateway/src', 'gateway/console/src', 'device-sim/src', 'dashboards/src', 'firmware-contracts/bench', 'rules/bench', 'gateway/bench'];

describe('import cycles', () => {
  for (const folder of FOLDERS.filter((f) => existsSync(join(root, f)))) {
    it(`${folder} has none`, async () => {
      const graph = await madge(join(root, folder), { fileExtensions: ['ts', 'tsx'] });
      expect(Object.keys(graph.obj()).length).toBeGreaterThan(0);
      expect(graph.circular()).toEqual([]);
    });
  }
});
