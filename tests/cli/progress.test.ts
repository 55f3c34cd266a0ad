import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/gateway.js';

const SIM = fileURLToPath(new URL('../../device-sim/dist/cli/main.js', import.meta.url));
const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

// util-linux `script` gives the command a real terminal, as a person running it has.
const hasScript = spawnSync('script', ['--version']).status === 0;

describe('progress bars on long work', () => {
  it.skipIf(!hasScript)('forecare-sim record draws one on a terminal, up to the simulated minutes asked for', () => {
    const out = join(tempDir(), 'rec.ndjson');
    const r = spawnSync('script', ['-qec', [process.execPath, SIM, 'record', '--out', out, '--hubs', '3', '--minutes', '120'].map(quote).join(' '), '/dev/null'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/record \|.*\| 120\/120 simulated minutes · \d+ messages/);
    expect(r.stdout).toMatch(/\d+ messages written to /);
  });

  it('draws nothing into a pipe, and nothing with --json: stdout stays one summary line', () => {
    const out = join(tempDir(), 'rec.ndjson');
    const text = spawnSync(process.execPath, [SIM, 'record', '--out', out, '--hubs', '2', '--minutes', '30'], { encoding: 'utf8' });
    expect(text.stderr).toBe('');
    expect(text.stdout).toMatch(/^\d+ messages written to .*\n$/);
    const json = spawnSync(process.execPath, [SIM, 'record', '--out', out, '--hubs', '2', '--minutes', '30', '--json'], { encoding: 'utf8' });
    expect(json.stderr).toBe('');
    expect(JSON.parse(json.stdout)).toMatchObject({ messages: expect.any(Number) as number, out });
  });
});
