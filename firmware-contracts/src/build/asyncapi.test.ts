import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Parser } from '@asyncapi/parser';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { TOPIC_SPECS } from '../topics.js';
import { PACKAGE_ROOT } from './assets.js';
import { renderAsyncApiYaml } from './asyncapi.js';

describe('AsyncAPI document', () => {
  it('parses with @asyncapi/parser without errors or warnings', async () => {
    const text = await readFile(join(PACKAGE_ROOT, 'asyncapi.yaml'), 'utf8');
    expect(text).toBe(renderAsyncApiYaml());
    const { document, diagnostics } = await new Parser().parse(text);
    // severity 0 = error, 1 = warning; 2 (information) only suggests AsyncAPI 3.1.
    expect(diagnostics.filter((d) => d.severity <= 1).map((d) => `${d.code}: ${d.message} at ${d.path.join('.')}`)).toEqual([]);
    expect(document).toBeDefined();
    expect(document?.channels().all().map((c) => c.address()).sort()).toEqual(TOPIC_SPECS.map((s) => s.pattern).sort());
    const send = document?.operations().filterBySend().map((o) => o.id());
    expect(send).toEqual(['sendNotices']);
  }, 60_000);

  it('states QoS and retain of every topic as MQTT operation bindings', () => {
    const doc = parse(renderAsyncApiYaml()) as { operations: Record<string, { channel: { $ref: string }; bindings: { mqtt: { qos: number; retain: boolean } } }> };
    for (const spec of TOPIC_SPECS) {
      const op = Object.values(doc.operations).find((o) => o.channel.$ref === `#/channels/${spec.kind}`);
      expect(op?.bindings.mqtt, spec.kind).toMatchObject({ qos: spec.qos, retain: spec.retain });
    }
  });
});
