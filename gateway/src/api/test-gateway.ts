import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config/config.js';
import { startGateway, type RunningGateway } from '../controller.js';
import { createLogger } from '../log.js';
import type { Role } from '../users/user-store.js';

/**
 * A real gateway in this process for the API's `app.inject()` tests: its own data directory,
 * port 0 for every listener, and one signed-in console user per role.
 */
export interface TestGateway {
  readonly gw: RunningGateway;
  readonly adminToken: string;
  /** A session token for a console user of each role. */
  readonly tokens: Readonly<Record<Role, string>>;
  call(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, options?: { token?: string | null; body?: unknown; headers?: Record<string, string> }): Promise<{ status: number; body: Record<string, unknown>; contentType: string }>;
  stop(): Promise<void>;
}

export const ADMIN_TOKEN = 'inject-test-admin-token-0123456789';
export const CONTACT_SECRET = 'whsec_' + Buffer.from('inject-test-contact-center-secret').toString('base64');

export async function startTestGateway(): Promise<TestGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'forecare-api-'));
  const config = loadConfig({
    FORECARE_MQTT_PORT: '0', FORECARE_HTTP_PORT: '0', FORECARE_DATA_DIR: dir, FORECARE_ADMIN_TOKEN: ADMIN_TOKEN, FORECARE_LOG_LEVEL: 'silent',
    FORECARE_CONTACT_CENTER_SECRET: CONTACT_SECRET, FORECARE_CONFIG: join(dir, 'none.json'),
  }, dir);
  const gw = await startGateway(config, { logger: createLogger({ level: 'silent' }) });
  const call: TestGateway['call'] = async (method, url, options = {}) => {
    const token = options.token === undefined ? ADMIN_TOKEN : options.token;
    const headers: Record<string, string> = { ...(token !== null ? { authorization: `Bearer ${token}` } : {}), ...options.headers };
    const res = await gw.api.inject({ method, url, headers, ...(options.body !== undefined ? { payload: typeof options.body === 'string' ? options.body : JSON.stringify(options.body), headers: { 'content-type': 'application/json', ...headers } } : {}) });
    const contentType = String(res.headers['content-type'] ?? '');
    // JSON answers parsed; anything else (metrics, CSV) kept as its text.
    const body = res.body === '' ? {} : /json/.test(contentType) ? (JSON.parse(res.body) as Record<string, unknown>) : { text: res.body };
    return { status: res.statusCode, body, contentType };
  };
  const roles: Role[] = ['admin', 'dispatcher', 'engineer', 'manager'];
  const tokens = {} as Record<Role, string>;
  for (const role of roles) {
    const username = `${role}-user`;
    const password = `${role}-password-0123`;
    const added = await call('POST', '/api/v1/users', { body: { username, role, password } });
    if (added.status !== 201) throw new Error(`could not add ${username}: ${added.status}`);
    const session = await call('POST', '/api/v1/session', { token: null, body: { username, password } });
    if (session.status !== 201) throw new Error(`could not sign in ${username}: ${session.status}`);
    tokens[role] = String(session.body.token);
  }
  return {
    gw, adminToken: ADMIN_TOKEN, tokens, call,
    async stop() {
      await gw.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
