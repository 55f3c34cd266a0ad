import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Parser } from '@asyncapi/parser';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { goldenFixtures } from '../fixtures/golden.js';
import { TOPIC_SPECS, parseTopic } from '../topics.js';
import { PACKAGE_ROOT } from './assets.js';
import { renderAsyncApiYaml } from './asyncapi.js';

describe('AsyncAPI document', () => {
  it('parses with @asyncapi/parser without errors or warnings', async () => {
    const text = await readFile(join(PACKAGE_ROOT, 'asyncapi.yaml'), 'utf8');
    expect(text).toBe(renderAsyncApiYaml());
    const { document, diagnostics } = await new Parser().parse(text);
    expect(document?.version()).toBe('3.1.0');
    // severity 0 = error, 1 = warning, 2 = information, 3 = hint.
    expect(diagnostics.filter((d) => d.severity <= 2).map((d) => `${d.code}: ${d.message} at ${d.path.join('.')}`)).toEqual([]);
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

  it('serves MQTT over WebSocket on its own port, not the HTTP API port', () => {
    const doc = parse(renderAsyncApiYaml()) as { servers: Record<string, { host: string; pathname?: string; variables?: Record<string, { default: string }> }> };
    const ws = doc.servers['ws'];
    expect(ws?.pathname).toBe('/mqtt');
    expect(ws?.host).toBe('{host}:{port}');
    expect(ws?.variables?.['port']?.default).not.toBe('8080');
  });

  // A firmware team checks its payloads with whatever JSON Schema validator it has: it must refuse
  // what the gateway refuses, save what JSON Schema cannot state (said in the schema descriptions).
  it('a generic JSON Schema validator (Ajv, draft-07) on the parsed document reaches every fixture verdict JSON Schema can state', async () => {
    const { document } = await new Parser().parse(await readFile(join(PACKAGE_ROOT, 'asyncapi.yaml'), 'utf8'));
    if (document === undefined) throw new Error('asyncapi.yaml did not parse');
    const ajv = new Ajv({ strict: false, allErrors: true });
    const beyondSchema: Record<string, string> = {
      'telemetry/invalid-not-json': 'not JSON',
      'telemetry/invalid-nan': 'not JSON',
      'telemetry/invalid-too-deep': 'nesting depth',
      'inventory/invalid-duplicate-item': 'unique by key',
      'topic/invalid-published-to-notices': 'direction, not payload',
    };
    const verdicts: string[] = [];
    for (const f of goldenFixtures()) {
      const kind = parseTopic(f.topic)?.kind;
      if (kind === undefined) continue; // the topic itself is refused: no payload schema applies
      const payload = document.channels().get(kind)?.messages().all()[0]?.payload()?.json();
      if (payload === undefined) throw new Error(`no payload schema for ${kind}`);
      let value: unknown;
      try {
        value = JSON.parse(f.payload);
      } catch {
        verdicts.push(`${f.name}: ${f.valid ? 'valid' : 'invalid'} → not JSON`);
        continue;
      }
      const accepted = ajv.validate(payload, value);
      if (accepted !== f.valid) verdicts.push(`${f.name}: ${f.valid ? 'valid' : 'invalid'} → ${accepted ? 'accepted' : 'refused'}`);
    }
    // Every disagreement is one the descriptions name, and every one they name still disagrees.
    expect(verdicts.map((v) => v.split(':')[0]).sort()).toEqual(Object.keys(beyondSchema).sort());
    const schemas = document.components().schemas();
    expect(schemas.get('TelemetryPayload')?.description()).toMatch(/nested deeper than \d+ levels/);
    expect(schemas.get('InventoryPayload')?.description()).toMatch(/itemId appears once/);
    expect(schemas.get('NoticePayload')?.description()).toMatch(/Only the gateway publishes/);
  }, 60_000);
});
