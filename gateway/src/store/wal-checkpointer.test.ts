import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openJournalDb } from './journal-db.js';

const built = fileURLToPath(new URL('../../dist/store/wal-checkpointer.js', import.meta.url));

describe('WalCheckpointer', () => {
  it('stop() resolves even when its thread is the last thing the process has', () => {
    const dir = mkdtempSync(join(tmpdir(), 'forecare-wal-'));
    const file = join(dir, 'journal.db');
    openJournalDb(file, 'NORMAL').close();
    // A process of its own: in a test runner something else always keeps the event loop alive.
    const script = join(dir, 'stop.mjs');
    writeFileSync(
      script,
      `import { WalCheckpointer } from ${JSON.stringify(built)};
const c = new WalCheckpointer([${JSON.stringify(file)}], { warn: (o, m) => console.error(m) }, 20);
c.start();
await new Promise((r) => setTimeout(r, 100));
await c.stop();
console.log('stopped');`,
    );
    const run = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 20_000 });
    expect(run.stdout.trim()).toBe('stopped');
    expect(run.status).toBe(0);
  });
});
