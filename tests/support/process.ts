import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { ADMIN_TOKEN } from './gateway.js';

export const GATEWAY_CLI = fileURLToPath(new URL('../../gateway/dist/cli/main.js', import.meta.url));

export interface GatewayProcess {
  readonly child: ChildProcess;
  readonly mqttPort: number;
  readonly httpPort: number;
  readonly output: () => string;
}

/**
 * Starts the built gateway CLI as its own process on free ports; resolves once it prints where it
 * listens. `wrapper` runs it under another command (`unshare --net --` for a host of its own).
 */
export function spawnGateway(dataDir: string, env: Record<string, string> = {}, options: { wrapper?: readonly string[] } = {}): Promise<GatewayProcess> {
  const [command = process.execPath, ...args] = [...(options.wrapper ?? []), process.execPath, GATEWAY_CLI, 'start'];
  const child = spawn(command, args, {
    env: {
      ...process.env,
      FORECARE_MQTT_PORT: '0',
      FORECARE_HTTP_PORT: '0',
      FORECARE_DATA_DIR: dataDir,
      FORECARE_ADMIN_TOKEN: ADMIN_TOKEN,
      FORECARE_LOG_LEVEL: 'warn',
      FORECARE_CONFIG: join(tmpdir(), 'no-such-forecare-config.json'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start: ${out}`)), 20_000);
    const check = (): void => {
      const m = /mqtt:\/\/[^:]+:(\d+)\s+HTTP http:\/\/[^:]+:(\d+)/.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        resolve({ child, mqttPort: Number(m[1]), httpPort: Number(m[2]), output: () => out });
      }
    };
    child.stdout?.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited with ${code}: ${out}`));
    });
  });
}

export async function kill(gw: GatewayProcess, signal: NodeJS.Signals): Promise<void> {
  if (gw.child.exitCode !== null || gw.child.signalCode !== null) return;
  const exited = new Promise((resolve) => gw.child.once('exit', resolve));
  gw.child.kill(signal);
  await exited;
}

/** An admin API call to a spawned gateway; any answer but 2xx throws, so a check on its result cannot pass on a failed query. */
export async function adminCall<T>(gw: { httpPort: number }, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`http://127.0.0.1:${gw.httpPort}${path}`, { method, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}
