import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SETTINGS } from '@forecare/gateway';

const root = fileURLToPath(new URL('../../', import.meta.url));
interface Service {
  build?: string;
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string; required?: boolean }> | string[];
  healthcheck?: { test: string[] | string };
  restart?: string;
}
const compose = parse(readFileSync(`${root}docker-compose.yml`, 'utf8')) as { services: Record<string, Service>; volumes?: Record<string, unknown> };
const require = createRequire(import.meta.url);
// dclint ships the Compose Specification's JSON Schema (schemas/compose.schema.json) and validates with it.
const DCLINT = dirname(require.resolve('dclint/package.json'));
const text = readFileSync(`${root}docker-compose.yml`, 'utf8');
const envExample = readFileSync(`${root}.env.example`, 'utf8');

describe('docker-compose.yml (shipped, not run: no docker engine here)', () => {
  it('builds the gateway from a Dockerfile that runs as a non-root user with a health check', () => {
    expect(compose.services.gateway?.build).toBe('.');
    const dockerfile = readFileSync(`${root}Dockerfile`, 'utf8');
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/HEALTHCHECK .*\/api\/v1\/health/);
    expect(dockerfile).toMatch(/gateway\/dist\/cli\/main\.js/);
  });

  it('builds on the newest Node.js line that engines states and npm test runs (scripts/runtimes.mjs), with @types/node of that line', () => {
    const dockerfile = readFileSync(`${root}Dockerfile`, 'utf8');
    const bases = [...dockerfile.matchAll(/^FROM node:(\d+)-/gm)].map((m) => Number(m[1]));
    const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { engines: { node: string }; devDependencies: Record<string, string> };
    const engines = pkg.engines.node;
    const lines = [...engines.matchAll(/\^(\d+)\./g)].map((m) => Number(m[1]));
    const tested = Object.keys(JSON.parse(/const RUNTIMES = (\{[^}]*\})/.exec(readFileSync(`${root}scripts/runtimes.mjs`, 'utf8'))?.[1]?.replace(/(\d+):/g, '"$1":').replace(/'/g, '"') ?? '{}') as object).map(Number);
    expect(bases.length).toBeGreaterThan(0);
    for (const b of bases) expect(b).toBe(Math.max(...lines));
    expect(lines).toEqual(expect.arrayContaining(tested));
    expect(tested).toContain(Math.max(...lines));
    // The types describe the Node the image runs.
    expect(pkg.devDependencies['@types/node']).toMatch(new RegExp(`^\\^${Math.max(...lines)}\\.`));
  });

  it('sets only real gateway settings, on the gateway default ports', () => {
    const names = new Set(SETTINGS.map((s) => s.env));
    const env = compose.services.gateway?.environment ?? {};
    for (const key of Object.keys(env)) expect(names, key).toContain(key);
    const defaults = Object.fromEntries(SETTINGS.map((s) => [s.env, s.default]));
    expect(env.FORECARE_MQTT_PORT).toBe(defaults.FORECARE_MQTT_PORT);
    expect(env.FORECARE_HTTP_PORT).toBe(defaults.FORECARE_HTTP_PORT);
    const ports = compose.services.gateway?.ports ?? [];
    expect(ports.some((p) => p.endsWith(`:${defaults.FORECARE_MQTT_PORT ?? ''}`))).toBe(true);
    expect(ports.some((p) => p.endsWith(`:${defaults.FORECARE_HTTP_PORT ?? ''}`))).toBe(true);
  });

  it('every ${VAR} is documented in .env.example and no password has a default', () => {
    const vars = [...text.matchAll(/\$\{([A-Z0-9_]+)/g)].map((m) => m[1] ?? '');
    expect(vars.length).toBeGreaterThan(0);
    for (const v of vars) expect(envExample, v).toMatch(new RegExp(`^${v}=`, 'm'));
    for (const m of text.matchAll(/\$\{([A-Z0-9_]*(PASSWORD|TOKEN|SECRET)[A-Z0-9_]*)(:?-[^}]*)?\}/g)) {
      expect(m[3] === undefined || m[3] === ':-' || m[3] === '-', `${m[1]} must not have a default`).toBe(true);
    }
    for (const line of envExample.split('\n')) {
      if (/(PASSWORD|TOKEN|SECRET)=/.test(line)) expect(line, 'secrets in .env.example stay empty').toMatch(/=$/);
    }
  });

  it('uses named volumes only, all declared, and every local path exists', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const v of service.volumes ?? []) {
        const source = v.split(':')[0] ?? '';
        if (source.startsWith('.') || source.startsWith('/')) expect(existsSync(`${root}${source}`), `${name}: ${source}`).toBe(true);
        else expect(Object.keys(compose.volumes ?? {}), `${name}: ${source}`).toContain(source);
      }
    }
  });

  it('is valid under the Compose Specification JSON Schema', () => {
    const { $schema: draft, ...schema } = JSON.parse(readFileSync(join(DCLINT, 'schemas', 'compose.schema.json'), 'utf8')) as { $schema: string; title?: string };
    expect(schema.title).toBe('Compose Specification');
    // Draft-07, Ajv's own default; its https spelling of the meta-schema id is not one Ajv knows.
    expect(draft).toMatch(/draft-07/);
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    const validate = ajv.compile(schema);
    expect(validate(compose), JSON.stringify(validate.errors)).toBe(true);
    // The schema does refuse: an unknown service key and a depends_on condition that does not exist.
    const broken = { ...compose, services: { ...compose.services, gateway: { ...compose.services.gateway, depends_on: { influxdb: { condition: 'service_ready' } }, healthckeck: {} } } };
    expect(validate(broken)).toBe(false);
  });

  it('passes dclint with its default rules, no error and no warning', async () => {
    const out = await promisify(execFile)(process.execPath, [join(DCLINT, 'bin', 'dclint.cjs'), 'docker-compose.yml', '-f', 'json', '--color', 'false'], { cwd: root }).catch((err: { stdout: string }) => err);
    const [report] = JSON.parse(out.stdout) as { messages: { rule: string; message: string }[]; errorCount: number; warningCount: number }[];
    expect(report?.messages.map((m) => `${m.rule}: ${m.message}`)).toEqual([]);
  });

  it('every long-running service has a health check, and every dependency waits on a stated condition that can be met', () => {
    const oneShot = (s: Service | undefined): boolean => s?.restart === 'no';
    for (const [name, service] of Object.entries(compose.services)) {
      if (!oneShot(service)) expect(service.healthcheck?.test, `${name} health check`).toBeDefined();
      const deps = service.depends_on ?? {};
      expect(Array.isArray(deps), `${name}: depends_on in long form, with conditions`).toBe(false);
      for (const [dep, { condition }] of Object.entries(deps)) {
        expect(Object.keys(compose.services), `${name} depends on ${dep}`).toContain(dep);
        if (condition === 'service_healthy') expect(compose.services[dep]?.healthcheck, `${dep} needs a health check for ${name}`).toBeDefined();
        if (condition === 'service_completed_successfully') expect(oneShot(compose.services[dep]), `${dep} runs once for ${name}`).toBe(true);
      }
    }
    expect(compose.services['node-red']?.depends_on).toMatchObject({ gateway: { condition: 'service_healthy' }, 'node-red-palette': { condition: 'service_completed_successfully' } });
    expect(compose.services.prometheus?.depends_on).toMatchObject({ gateway: { condition: 'service_healthy' } });
  });

  it('publishes MQTT over WebSocket and over TLS on the ports the gateway is told to use, and the AsyncAPI servers name', () => {
    const gateway = compose.services.gateway;
    const env = gateway?.environment ?? {};
    const containerPorts = (gateway?.ports ?? []).map((p) => p.split(':').pop());
    expect(containerPorts).toContain(env.FORECARE_MQTT_WS_PORT);
    expect(env.FORECARE_MQTTS_PORT).toBe('${FORECARE_TLS:+8883}');
    expect(containerPorts).toContain('8883');
    const asyncapi = parse(readFileSync(`${root}firmware-contracts/asyncapi.yaml`, 'utf8')) as { servers: Record<string, { host: string; variables?: Record<string, { default: string }> }> };
    expect(asyncapi.servers.ws?.variables?.port?.default).toBe(env.FORECARE_MQTT_WS_PORT);
    expect(asyncapi.servers.mqtts?.host).toBe('{host}:8883');
  });

  it('Node-RED and Prometheus reach the gateway by its service name, never their own 127.0.0.1', () => {
    const palette = `${root}dashboards/node-red/node-red-contrib-forecare/`;
    expect(readFileSync(`${palette}nodes/forecare-config.html`, 'utf8')).toMatch(/url: \{ value: 'http:\/\/gateway:8080'/);
    const example = JSON.parse(readFileSync(`${palette}examples/alarm-to-ticket.json`, 'utf8')) as { type: string; url?: string }[];
    expect(example.filter((n) => n.type === 'forecare-config').map((n) => n.url)).toEqual(['http://gateway:8080']);
    expect(readFileSync(`${root}dashboards/prometheus/prometheus.yml`, 'utf8')).toContain("'gateway:8080'");
  });
});
