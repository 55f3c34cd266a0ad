/**
 * Backtest of a large recording in bounded memory (opt-in: `npm run bench:backtest -w gateway`,
 * after `npx tsc -b`). Records the adversarial fleet scaled to BENCH_HUBS homes (default
 * 1,800: about 2 GB over three days) with forecare-sim, then runs `forecare rules backtest
 * --recording … --json` on it in a child process whose heap is capped (BENCH_HEAP_MB, 256),
 * following its resident memory every second. Prints one JSON line: size, messages, time,
 * peak RSS. BENCH_KEEP=1 keeps the recording (in the temp dir) for another run.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HUBS = Number(process.env.BENCH_HUBS ?? 1800);
const HEAP_MB = Number(process.env.BENCH_HEAP_MB ?? 256);
const sim = fileURLToPath(new URL('../../device-sim/dist/cli/main.js', import.meta.url));
const forecare = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const scenarioFile = fileURLToPath(new URL('../../device-sim/scenarios/adversarial.json', import.meta.url));

function run(args: string[], onSpawn?: (pid: number) => void): Promise<{ code: number | null; lines: number; last: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    if (child.pid !== undefined) onSpawn?.(child.pid);
    let lines = 0;
    let tail = '';
    child.stdout.on('data', (d: Buffer) => {
      const text = tail + d.toString();
      const parts = text.split('\n');
      tail = parts.pop() ?? '';
      lines += parts.length;
      if (parts.length > 0) last = parts[parts.length - 1] as string;
    });
    let last = '';
    child.on('exit', (code) => resolve({ code, lines, last: tail !== '' ? tail : last }));
  });
}

const rssMb = (pid: number): number => {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m?.[1] === undefined ? 0 : Number(m[1]) / 1024;
  } catch {
    return 0;
  }
};

const dir = mkdtempSync(join(tmpdir(), 'forecare-bench-backtest-'));
try {
  const scenario = { ...(JSON.parse(readFileSync(scenarioFile, 'utf8')) as Record<string, unknown>), name: 'adversarial-large', hubs: HUBS };
  writeFileSync(join(dir, 'large.json'), JSON.stringify(scenario));
  const recording = join(dir, 'large.ndjson');
  const made = await run([sim, 'record', '--scenario', join(dir, 'large.json'), '--out', recording, '--prefix', 'big']);
  if (made.code !== 0) throw new Error('recording failed');
  const bytes = statSync(recording).size;
  let peak = 0;
  let timer: NodeJS.Timeout | undefined;
  const started = Date.now();
  const result = await run([`--max-old-space-size=${HEAP_MB}`, forecare, 'rules', 'backtest', '--recording', recording, '--customers', join(dir, 'large.customers.json'), '--json'], (pid) => {
    timer = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 1000);
  });
  clearInterval(timer);
  const seconds = (Date.now() - started) / 1000;
  const summary = JSON.parse(result.last) as { messages: number };
  console.log(JSON.stringify({ recordingBytes: bytes, messages: summary.messages, outputLines: result.lines, seconds: Math.round(seconds), messagesPerSecond: Math.round(summary.messages / seconds), heapCapMb: HEAP_MB, peakRssMb: Math.round(peak), exit: result.code }));
} finally {
  if (process.env.BENCH_KEEP !== '1') rmSync(dir, { recursive: true, force: true });
}
