import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { RunningGateway } from '@forecare/gateway';
import { startTestGateway, tempDir } from '../support/gateway.js';

interface Doc {
  openapi: string;
  paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties?: Record<string, { enum?: string[] }> } }> }; parameters?: { name: string; in: string }[] }>>;
  components: { schemas: Record<string, { properties: Record<string, { enum?: string[] }> }> };
}

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
});
