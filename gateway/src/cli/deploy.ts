import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GatewayConfig } from '../config/config.js';
import { GatewayError } from '../errors.js';
import { ruleFiles, type Print } from './commands.js';
import { localAddress } from './doctor.js';

export interface DeployOptions {
  readonly message: string;
  readonly author: string;
  readonly url?: string;
  readonly token?: string;
  readonly json: boolean;
}

/**
 * Where and as whom to deploy: --url, else the gateway these settings describe; --token, else
 * FORECARE_ADMIN_TOKEN, else the token the gateway generated into its data directory.
 */
export function deployTarget(config: GatewayConfig, o: Pick<DeployOptions, 'url' | 'token'>): { url: string; token: string } {
  const url = o.url ?? `http://${localAddress(config.host)}:${config.httpPort}`;
  if (o.token !== undefined && o.token !== '') return { url, token: o.token };
  if (config.adminToken !== '') return { url, token: config.adminToken };
  const kept = join(config.dataDir, 'admin-token');
  if (existsSync(kept)) return { url, token: readFileSync(kept, 'utf8').trim() };
  throw new GatewayError('GW_ERR_UNAUTHORIZED', `no admin token: give --token, set FORECARE_ADMIN_TOKEN, or run where the gateway's data directory is (${kept} does not exist)`);
}

/** Why fetch failed, in the words of the socket (ECONNREFUSED, ENOTFOUND…) rather than "fetch failed". */
function networkReason(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err as Error).message;
}

/** `forecare rules deploy`: 0 when deployed, 1 when the gateway refused; an unreachable gateway throws a GatewayError. */
export async function rulesDeploy(path: string, o: DeployOptions, config: () => GatewayConfig, print: Print): Promise<number> {
  const files = ruleFiles(path);
  const { url, token } = deployTarget(config(), o);
  const target = new URL('/api/v1/rules/deploy', url);
  let res: Response;
  try {
    res = await fetch(target, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ files, message: o.message, author: o.author }),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (err) {
    throw new GatewayError('GW_ERR_GATEWAY_UNREACHABLE', `cannot reach the gateway at ${target.origin} (${networkReason(err)}): is it running? --url, or FORECARE_HOST and FORECARE_HTTP_PORT, say where`);
  }
  const text = await res.text();
  let body: { version?: number; detail?: string; code?: string };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    body = { detail: `not a forecare answer: ${text.slice(0, 120)}` };
  }
  if (o.json) print(JSON.stringify({ ok: res.ok, status: res.status, ...body }));
  if (!res.ok) {
    if (!o.json) console.error(`forecare: deploy refused (HTTP ${res.status}${body.code === undefined ? '' : ` ${body.code}`}): ${body.detail ?? ''}`);
    return 1;
  }
  if (!o.json) print(`deployed as version ${body.version ?? '?'}`);
  return 0;
}
