// Preloaded (NODE_OPTIONS=--import) into every process of a pass on another Node.js line:
// `better-sqlite3` resolves to the copy built for that line's ABI (FORECARE_BETTER_SQLITE3,
// its folder), so the repository's node_modules keep the build for the machine's own Node.
// registerHooks (Node >= 22.15) covers import and require alike, in workers too.
import { registerHooks } from 'node:module';
import { pathToFileURL } from 'node:url';

const dir = process.env.FORECARE_BETTER_SQLITE3;
if (dir === undefined || dir === '') throw new Error('runtime-hook: FORECARE_BETTER_SQLITE3 is not set');
const copy = `${pathToFileURL(dir).href}/`;
const marker = '/node_modules/better-sqlite3/';

registerHooks({
  // By the resolved URL, not the specifier: vitest resolves `better-sqlite3` itself and imports the file.
  resolve(specifier, context, nextResolve) {
    const resolved = nextResolve(specifier, context);
    const at = resolved.url.indexOf(marker);
    if (at === -1 || resolved.url.startsWith(copy)) return resolved;
    return { ...resolved, url: copy + resolved.url.slice(at + marker.length) };
  },
});
