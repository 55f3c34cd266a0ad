import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { RunningGateway } from '@forecare/gateway';
import { startTestGateway, tempDir } from '../support/gateway.js';

interface Doc {
  openapi: string;
  paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties?: Record<string, { enum?: string[] }> } }> }; parameters?: { name: string; in: string }[] }>>;
  components: { schemas: Record<string, { properties: Record<string, { enum?: string[] }> }> };
}

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('the contact-center API document (gateway/docs/contact-center-api.yaml)', () => {
  let gw: RunningGateway;
  const doc = parse(readFileSync(new URL('../../gateway/docs/contact-center-api.yaml', import.meta.url), 'utf8')) as Doc;
  beforeAll(async () => {
    gw = await startTestGateway({ FORECARE_DATA_DIR: tempDir() });
  });
  afterAll(async () => {
    await gw?.stop();
  });

  it('documents the gateway side as the gateway serves it: outcome callback, caller context, outcomes and headers', async () => {
    const served = (await (await fetch(`http://127.0.0.1:${gw.httpPort}/docs/json`)).json()) as Doc;
    expect(doc.openapi).toMatch(/^3\.1\./);
    for (const path of ['/api/v1/contact-center/outcomes', '/api/v1/context']) expect(Object.keys(served.paths), path).toContain(path);
    const outcomes = served.paths['/api/v1/contact-center/outcomes']?.post?.requestBody?.content['application/json']?.schema.properties?.outcome?.enum;
    expect(doc.components.schemas.Outcome?.properties.outcome?.enum).toEqual(outcomes);
    const headers = (doc.paths['/{your-task-endpoint}']?.post?.parameters ?? []).filter((p) => p.in === 'header').map((p) => p.name.toLowerCase());
    expect(headers).toEqual(['webhook-id', 'webhook-timestamp', 'webhook-signature', 'idempotency-key']);
    expect(Object.keys(served.paths)).toContain('/api/v1/contacts/{taskId}/replay');
  });

  it('is valid OpenAPI with no error or warning under the recommended rules of Redocly CLI (redocly.yaml)', async () => {
    const cli = createRequire(import.meta.url).resolve('@redocly/cli/bin/cli.js');
    // Exit code 1 on a problem: read the report either way.
    const out = await promisify(execFile)(process.execPath, [cli, 'lint', 'gateway/docs/contact-center-api.yaml', '--format=json'], {
      cwd: root,
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    }).catch((err: { stdout: string }) => err);
    const report = JSON.parse(out.stdout) as { totals: { errors: number; warnings: number }; problems: { message: string }[] };
    expect(report.problems.map((p) => p.message)).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  });
});
