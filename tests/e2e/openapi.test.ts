import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '@forecare/gateway';
import { startTestGateway, tempDir } from '../support/gateway.js';

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
});
