import { spawn } from 'node:child_process';
import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { tempDir } from './gateway.js';
import { dependenciesOf, packageDir } from './packages.js';

export const PALETTE = fileURLToPath(new URL('../../dashboards/node-red/node-red-contrib-forecare', import.meta.url));
const HOST = fileURLToPath(new URL('./node-red-host.mjs', import.meta.url));

/**
 * Installs the palette into a Node-RED user directory as `npm install` would: the package under
 * node_modules, and beside it each dependency it declares (from this repository's install).
 */
export function installPalette(userDir: string): void {
  const modules = join(userDir, 'node_modules');
  mkdirSync(modules, { recursive: true });
  cpSync(PALETTE, join(modules, 'node-red-contrib-forecare'), { recursive: true });
  for (const dep of dependenciesOf(PALETTE)) cpSync(packageDir(PALETTE, dep), join(modules, dep), { recursive: true });
}

export interface SentMessage {
  readonly source: string;
  readonly msg: { readonly topic?: unknown; readonly eventId?: unknown; readonly payload?: unknown };
}

export interface NodeRedProcess {
  readonly admin: string;
  /** Node ids whose status text is `connected` now. */
  readonly connected: Set<string>;
  /** Every message a node sent, in order. */
  readonly sent: SentMessage[];
  deploy(flow: readonly Record<string, unknown>[]): Promise<void>;
  stop(): Promise<void>;
}

/** Node-RED 4 headless in a process of its own (tests/support/node-red-host.mjs), the palette installed in a fresh user directory. */
export async function startNodeRed(): Promise<NodeRedProcess> {
  const userDir = tempDir('forecare-nodered-');
  installPalette(userDir);
  // spawn, not fork: the child gets none of vitest's execArgv (its `source` export condition).
  const child = spawn(process.execPath, [HOST, userDir], { stdio: ['pipe', 'pipe', 'inherit'] });
  const connected = new Set<string>();
  const sent: SentMessage[] = [];
  const admin = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`Node-RED exited with ${code}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (!line.startsWith('{')) return;
      const e = JSON.parse(line) as { admin?: string; status?: { id: string; text: string }; sent?: SentMessage };
      if (e.admin !== undefined) resolve(e.admin);
      if (e.status !== undefined) {
        if (e.status.text === 'connected') connected.add(e.status.id);
        else connected.delete(e.status.id);
      }
      if (e.sent !== undefined) sent.push(e.sent);
    });
  });
  return {
    admin,
    connected,
    sent,
    async deploy(flow) {
      const res = await fetch(`${admin}/flows`, { method: 'POST', headers: { 'content-type': 'application/json', 'Node-RED-Deployment-Type': 'full' }, body: JSON.stringify(flow) });
      if (!res.ok) throw new Error(`deploy: HTTP ${res.status} ${await res.text()}`);
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
