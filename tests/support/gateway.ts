import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { createLogger, loadConfig, startGateway, type Clock, type Logger, type RunningGateway } from '@forecare/gateway';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export function tempDir(prefix = 'forecare-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Starts a real gateway in this process on free ports with the given settings (environment-style). */
export async function startTestGateway(env: Record<string, string>, options: { clock?: Clock; logger?: Logger } = {}): Promise<RunningGateway> {
  const config = loadConfig(
    {
      FORECARE_MQTT_PORT: '0',
      FORECARE_HTTP_PORT: '0',
      FORECARE_ADMIN_TOKEN: ADMIN_TOKEN,
      FORECARE_TICK_MS: '100',
      FORECARE_OUTBOX_BASE_DELAY_MS: '100',
      FORECARE_LOG_LEVEL: 'silent',
      FORECARE_CONFIG: join(tmpdir(), 'no-such-forecare-config.json'),
      ...env,
    },
    process.cwd(),
  );
  return startGateway(config, { logger: options.logger ?? createLogger({ level: config.logLevel }), checkpointEveryMs: 200, ...(options.clock !== undefined ? { clock: options.clock } : {}) });
}

export interface Api {
  call<T = Record<string, unknown>>(method: string, path: string, body?: unknown, token?: string | null): Promise<{ status: number; body: T; headers: Headers }>;
}

export function api(gw: RunningGateway): Api {
  return {
    async call(method, path, body, token = ADMIN_TOKEN) {
      const headers: Record<string, string> = {};
      if (token !== null) headers.authorization = `Bearer ${token}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`http://127.0.0.1:${gw.httpPort}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
      const text = await res.text();
      return { status: res.status, body: (text === '' ? {} : JSON.parse(text)) as never, headers: res.headers };
    },
  };
}

export async function connectHub(gw: RunningGateway, username: string, password: string, extra: IClientOptions = {}): Promise<MqttClient> {
  return mqtt.connectAsync(`mqtt://127.0.0.1:${gw.mqttPort}`, { username, password, clientId: `${username}-${Math.random().toString(36).slice(2, 8)}`, reconnectPeriod: 0, connectTimeout: 5000, protocolVersion: 4, ...extra });
}

/** The CONNACK return code a connect attempt was refused with, or undefined when it was accepted (the client is then closed). */
export function refusedCode(attempt: Promise<MqttClient>): Promise<number | undefined> {
  return attempt.then(
    (c) => {
      c.end(true);
      return undefined;
    },
    (e: { code?: number }) => e.code ?? -1,
  );
}

/** Resolves when the client's connection is closed (at once when it already is). */
export function connectionClosed(client: MqttClient): Promise<void> {
  return new Promise((resolve) => (client.stream.destroyed ? resolve() : client.stream.once('close', () => resolve())));
}

/** Polls until `probe` returns a value that is not undefined, or fails after `timeoutMs`. */
export async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}${last !== undefined ? ` (last error: ${String(last)})` : ''}`);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
