import { goldenFixtures } from '../fixtures/golden.js';
import { renderAsyncApiYaml } from './asyncapi.js';
import { renderCatalogsJson, renderCatalogsMarkdown, renderTopicsMarkdown } from './docs.js';

/** Generated files of the package, by path relative to the package root. Pure: same input, same bytes. */
export type Assets = Map<string, string>;

export function renderFixtureFiles(): Assets {
  const out: Assets = new Map();
  const fixtures = goldenFixtures();
  for (const f of fixtures) out.set(`fixtures/${f.name}.json`, `${JSON.stringify(f, null, 2)}\n`);
  out.set('fixtures/index.json', `${JSON.stringify(fixtures.map((f) => ({ name: f.name, file: `${f.name}.json`, valid: f.valid })), null, 2)}\n`);
  return out;
}

export function renderAssets(): Assets {
  return new Map([
    ['asyncapi.yaml', renderAsyncApiYaml()],
    ['docs/topics.md', renderTopicsMarkdown()],
    ['docs/catalogs.md', renderCatalogsMarkdown()],
    ['docs/catalogs.json', renderCatalogsJson()],
    ...renderFixtureFiles(),
  ]);
}
