// Runs before `npm test`: installs the Debian packages the real-component tests need when
// they are missing (Chromium for the console, VictoriaMetrics as the InfluxDB-compatible
// store, promtool from Prometheus to check /metrics), then type-checks, lints and builds every workspace so tests that spawn the
// gateway run what Node runs.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const needed = [
  { pkg: 'chromium', file: '/usr/bin/chromium' },
  { pkg: 'victoria-metrics', file: '/usr/bin/victoria-metrics' },
  { pkg: 'prometheus', file: '/usr/bin/promtool' },
  // Chinese glyphs for the console's zh screens and screenshots in headless Chromium.
  { pkg: 'fonts-wqy-microhei', file: '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc' },
];

function run(cmd, args) {
  console.log(`pretest: ${cmd} ${args.join(' ')}`);
  execFileSync(cmd, args, { stdio: 'inherit' });
}

const missing = needed.filter((n) => !existsSync(n.file));
if (missing.length > 0) {
  const isRoot = process.getuid?.() === 0;
  const sudo = isRoot ? [] : ['sudo'];
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const apt = (args) => {
      const [c, ...rest] = [...sudo, 'apt-get', ...args];
      console.log(`pretest: ${c} ${rest.join(' ')}`);
      const r = spawnSync(c, rest, { stdio: 'inherit', env });
      if (r.status !== 0) throw new Error(`${c} ${rest.join(' ')} exited ${r.status}`);
    };
    apt(['update', '-qq']);
    apt(['install', '-y', '-qq', '--no-install-recommends', ...missing.map((m) => m.pkg)]);
  } catch (err) {
    console.error(`pretest: could not install ${missing.map((m) => m.pkg).join(', ')}: ${err.message}`);
    process.exit(1);
  }
}

run('npx', ['tsc', '-b']);
run('npx', ['eslint', '.']);
run('npm', ['run', 'build:assets', '--workspaces', '--if-present']);
