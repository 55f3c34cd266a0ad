// Node-RED 4 embedded and headless on a user directory the palette is installed in. Plain
// JavaScript, run in a process of its own: inside a vitest worker Node resolves packages with
// the `source` export condition, which hands Node-RED the TypeScript sources of dependencies
// such as eventsource-parser.
import { createServer } from 'node:http';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** Starts Node-RED on 127.0.0.1 (a free port); resolves to the runtime, its admin URL and a stop function. */
export async function startEmbedded(userDir) {
  const red = require('node-red');
  const app = require('express')();
  const server = createServer(app);
  red.init(server, { userDir, httpAdminRoot: '/admin', httpNodeRoot: '/api', flowFile: 'flows.json', credentialSecret: 'test-secret', logging: { console: { level: 'warn' } }, editorTheme: { tours: false }, externalModules: { autoInstall: false } });
  app.use('/admin', red.httpAdmin);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  await red.start();
  return {
    red,
    admin: `http://127.0.0.1:${server.address().port}/admin`,
    async stop() {
      await red.stop();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Deploys a full flow through the admin API, as the editor's Deploy button does. */
export async function deploy(admin, flow) {
  const res = await fetch(`${admin}/flows`, { method: 'POST', headers: { 'content-type': 'application/json', 'Node-RED-Deployment-Type': 'full' }, body: JSON.stringify(flow) });
  if (!res.ok) throw new Error(`deploy: HTTP ${res.status} ${await res.text()}`);
}
