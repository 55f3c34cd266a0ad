import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/gateway.js';
import { dependenciesOf, packageDir } from '../support/packages.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const CONTRACTS = join(root, 'firmware-contracts');
const PALETTE = join(root, 'dashboards', 'node-red', 'node-red-contrib-forecare');

interface Manifest {
  name: string;
  version: string;
  license: string;
  keywords?: string[];
  private?: boolean;
  dependencies?: Record<string, string>;
  'node-red'?: { nodes: Record<string, string> };
}

/** `npm pack` into a fresh folder: the tarball's path and the files it holds. */
function pack(dir: string): { tarball: string; files: string[] } {
  const dest = tempDir('forecare-pack-');
  const [report] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', dest], { cwd: dir, encoding: 'utf8' })) as { filename: string; files: { path: string }[] }[];
  if (report === undefined) throw new Error(`npm pack printed nothing in ${dir}`);
  return { tarball: join(dest, report.filename), files: report.files.map((f) => f.path) };
}

const manifest = (dir: string): Manifest => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;

/** Installs a packed tarball and its declared dependencies into `<dir>/node_modules`, as npm would, with nothing of this repository in reach. */
function installPacked(dir: string, tarball: string, from: string): string {
  const m = manifest(from);
  const target = join(dir, 'node_modules', ...m.name.split('/'));
  mkdirSync(target, { recursive: true });
  execFileSync('tar', ['xzf', tarball, '-C', target, '--strip-components=1']);
  for (const dep of dependenciesOf(from)) cpSync(packageDir(from, dep), join(dir, 'node_modules', ...dep.split('/')), { recursive: true });
  return target;
}

describe('packages people install from a registry', () => {
  for (const [label, dir] of [['firmware-contracts', CONTRACTS], ['node-red palette', PALETTE]] as const) {
    it(`${label}: a version, a licence file, a README, keywords, not private`, () => {
      const m = manifest(dir);
      expect(m.version).toMatch(/^\d+\.\d+\.\d+$/);
      expect(m.license).toBe('Apache-2.0');
      expect(m.private).toBeUndefined();
      expect(m.keywords?.length).toBeGreaterThan(3);
      const { files } = pack(dir);
      for (const f of ['package.json', 'README.md', 'LICENSE']) expect(files, f).toContain(f);
      expect(readFileSync(join(dir, 'LICENSE'), 'utf8')).toMatch(/Apache License[\s\S]*Version 2\.0/);
      expect(files.filter((f) => /\.test\.|tsbuildinfo|(^|\/)bench\//.test(f))).toEqual([]);
    });
  }

  it('the palette: Node-RED finds it (keyword node-red), every node file and the example are in the tarball', () => {
    const m = manifest(PALETTE);
    expect(m.keywords).toContain('node-red');
    const { files } = pack(PALETTE);
    for (const file of Object.values(m['node-red']?.nodes ?? {})) {
      expect(files).toContain(file);
      expect(files).toContain(file.replace(/\.js$/, '.html'));
    }
    expect(files).toContain('examples/alarm-to-ticket.json');
    // Every module a node requires is in the tarball or a declared dependency.
    for (const file of files.filter((f) => f.endsWith('.js'))) {
      for (const [, mod] of readFileSync(join(PALETTE, file), 'utf8').matchAll(/require\('([^']+)'\)/g)) {
        if (mod?.startsWith('.')) expect(files, `${file} requires ${mod}`).toContain(join(dirname(file), mod));
        else expect(Object.keys(m.dependencies ?? {}), `${file} requires ${mod}`).toContain(mod);
      }
    }
  });

  it('firmware-contracts works installed on its own: types check and the validator runs, without the gateway or this repository', () => {
    const app = tempDir('forecare-hub-vendor-');
    installPacked(app, pack(CONTRACTS).tarball, CONTRACTS);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'hub-vendor', private: true, type: 'module' }));
    writeFileSync(
      join(app, 'check.ts'),
      [
        "import { decodeUplink, goldenFixtures, fixtureMismatch, topics, type PayloadOf } from '@forecare/firmware-contracts';",
        "const reading: PayloadOf<'telemetry'> = { ts: 1795000000000, seq: 42, type: 'refrigerator', metrics: { fridge_temp_c: 4.2 } };",
        "const ok = decodeUplink(topics.telemetry('hub-0001', 'fridge-1'), JSON.stringify(reading));",
        "const hot = decodeUplink(topics.telemetry('hub-0001', 'fridge-1'), JSON.stringify({ ...reading, metrics: { fridge_temp_c: 95 } }));",
        'const mismatches = goldenFixtures().filter((f) => f.direction === "uplink").map((f) => fixtureMismatch(f, decodeUplink(f.topic, f.payload))).filter((m) => m !== null);',
        'console.log(JSON.stringify({ ok: ok.ok, hot: hot.ok ? null : hot.reason, mismatches }));',
      ].join('\n'),
    );
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    execFileSync(process.execPath, [tsc, '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--skipLibCheck', 'false', 'check.ts'], { cwd: app, encoding: 'utf8' });
    const out = execFileSync(process.execPath, ['check.js'], { cwd: app, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({ ok: true, hot: 'out-of-range', mismatches: [] });
  });
});
