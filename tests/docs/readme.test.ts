import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SETTINGS } from '@forecare/gateway';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('gives the two commands a newcomer runs', () => {
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm test');
  });

  it('documents every setting with its real default (regenerate with node scripts/readme-settings.mjs)', () => {
    for (const s of SETTINGS) {
      const row = `| \`${s.env}\` | \`${s.key}\` | ${s.default === '' ? '(empty)' : `\`${s.default}\``} | ${s.description} |`;
      expect(readme, `README row for ${s.env}`).toContain(row);
    }
  });

  it('.ci/run runs exactly npm ci and npm test', () => {
    const ci = readFileSync(new URL('../../.ci/run', import.meta.url), 'utf8');
    expect(ci).toMatch(/npm ci/);
    expect(ci).toMatch(/npm test/);
  });
});
