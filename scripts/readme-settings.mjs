// Writes the settings table of README.md from gateway/src/config/settings.ts (through the
// built gateway), so the README and the code never disagree. `--check` fails when stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { SETTINGS } from '../gateway/dist/config/settings.js';

const file = new URL('../README.md', import.meta.url);
const text = readFileSync(file, 'utf8');
const rows = '| variable | key | default | meaning |\n|---|---|---|---|\n' + SETTINGS.map((s) => `| \`${s.env}\` | \`${s.key}\` | ${s.default === '' ? '(empty)' : `\`${s.default}\``} | ${s.description} |`).join('\n');
const next = text.replace(/<!-- settings:start -->[\s\S]*<!-- settings:end -->/, `<!-- settings:start -->\n${rows}\n<!-- settings:end -->`);
if (process.argv.includes('--check')) {
  if (next !== text) {
    console.error('README.md settings table is stale: run node scripts/readme-settings.mjs');
    process.exit(1);
  }
} else {
  writeFileSync(file, next);
}
