import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SETTINGS } from '@forecare/gateway';

const root = fileURLToPath(new URL('../../', import.meta.url));
const compose = parse(readFileSync(`${root}docker-compose.yml`, 'utf8')) as {
  services: Record<string, { build?: string; environment?: Record<string, string>; ports?: string[]; volumes?: string[] }>;
  volumes?: Record<string, unknown>;
};
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
});
