import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '@forecare/gateway';
import { startTestGateway, tempDir } from '../support/gateway.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

interface LintReport {
  totals: { errors: number; warnings: number };
  problems: { ruleId: string; severity: 'error' | 'warn'; message: string; location: { pointer: string }[] }[];
}

/** Redocly CLI's lint of a document under the repository's redocly.yaml; exit code 1 on an error, so the report is read either way. */
async function redoclyLint(file: string): Promise<LintReport> {
  const cli = createRequire(import.meta.url).resolve('@redocly/cli/bin/cli.js');
  const out = await promisify(execFile)(process.execPath, [cli, 'lint', file, '--config', join(root, 'redocly.yaml'), '--format=json'], {
    cwd: root,
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
  }).catch((err: { stdout: string }) => err);
  return JSON.parse(out.stdout) as LintReport;
}

interface Operation {
  requestBody?: unknown;
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
  parameters?: unknown[];
}

describe('OpenAPI at /docs', () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ FORECARE_DATA_DIR: tempDir() });
  });
  afterAll(async () => {
    await gw?.stop();
  });

  it('describes every API route with its request and response schemas', async () => {
    const doc = (await (await fetch(`http://127.0.0.1:${gw.httpPort}/docs/json`)).json()) as { openapi: string; paths: Record<string, Record<string, Operation>> };
    expect(doc.openapi).toMatch(/^3\./);
    const ops = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })));
    const api = ops.filter((o) => o.path.startsWith('/api/v1/'));
    expect(api.length).toBeGreaterThan(30);
    for (const { path, method, op } of api) {
      if (path === '/api/v1/events') continue; // a server-sent event stream, not a JSON response
      const ok = Object.entries(op.responses ?? {}).find(([code]) => code.startsWith('2'));
      expect(ok, `${method.toUpperCase()} ${path} documents its success response`).toBeDefined();
      if (ok?.[0] !== '204') expect(ok?.[1].content, `${method.toUpperCase()} ${path} has a success response schema`).toBeDefined();
      if (['post', 'patch', 'put'].includes(method) && !path.endsWith('/replay') && !path.endsWith('/rotate') && !path.endsWith('/ack') && !path.endsWith('/clear') && !path.endsWith('/close')) {
        expect(op.requestBody, `${method.toUpperCase()} ${path} has a request schema`).toBeDefined();
      }
      if (path !== '/api/v1/health' && path !== '/api/v1/contact-center/outcomes') expect(op.responses?.['401'], `${method.toUpperCase()} ${path} documents 401`).toBeDefined();
    }
    const paths = Object.keys(doc.paths);
    for (const p of ['/api/v1/hubs', '/api/v1/tickets', '/api/v1/alarms', '/api/v1/contact-center/outcomes', '/api/v1/context', '/api/v1/rules/deploy']) expect(paths).toContain(p);
  });

  it('is served as OpenAPI that Redocly CLI lints with no error under the recommended rules (redocly.yaml)', async () => {
    const doc = (await (await fetch(`http://127.0.0.1:${gw.httpPort}/docs/json`)).json()) as { paths: Record<string, Record<string, { operationId?: string; summary?: string }>> };
    const file = join(tempDir('forecare-openapi-'), 'openapi.json');
    writeFileSync(file, JSON.stringify(doc));
    const report = await redoclyLint(file);
    const errors = report.problems.filter((p) => p.severity === 'error').map((p) => `${p.ruleId} at ${p.location[0]?.pointer ?? '?'}: ${p.message}`);
    expect(errors).toEqual([]);
    expect(report.totals.errors).toBe(0);
    // The only warnings left: health and metrics declare no 4xx answer, since they take no input to refuse.
    expect(report.problems.filter((p) => p.severity === 'warn').map((p) => `${p.ruleId} at ${p.location[0]?.pointer ?? '?'}`)).toEqual([
      'operation-4xx-response at #/paths/~1api~1v1~1health/get/responses',
      'operation-4xx-response at #/paths/~1metrics/get/responses',
    ]);
  });

  it('fails the lint on a document with an error: the check above can fail', async () => {
    const doc = (await (await fetch(`http://127.0.0.1:${gw.httpPort}/docs/json`)).json()) as { paths: Record<string, Record<string, { summary?: string }>> };
    const op = doc.paths['/api/v1/hubs']?.get;
    expect(op?.summary).toBeDefined();
    delete op?.summary;
    const file = join(tempDir('forecare-openapi-'), 'openapi.json');
    writeFileSync(file, JSON.stringify(doc));
    const report = await redoclyLint(file);
    expect(report.totals.errors).toBeGreaterThan(0);
    expect(report.problems.some((p) => p.severity === 'error' && p.ruleId === 'operation-summary')).toBe(true);
  });
});
