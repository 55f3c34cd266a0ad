import { cpSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import type { RunningGateway } from '@forecare/gateway';
import { topics } from '@forecare/firmware-contracts';
import { ADMIN_TOKEN, api, connectHub, startTestGateway, tempDir, until, type Api } from '../support/gateway.js';

const require = createRequire(import.meta.url);
const PALETTE = fileURLToPath(new URL('../../dashboards/node-red/node-red-contrib-forecare', import.meta.url));

interface NodeRed {
  init(server: Server, settings: Record<string, unknown>): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  httpAdmin: (req: unknown, res: unknown) => void;
  httpNode: (req: unknown, res: unknown) => void;
}

describe('Node-RED 4 with the forecare palette (embedded, headless)', () => {
  let gw: RunningGateway;
  let http: Api;
  let red: NodeRed;
  let server: Server;
  let admin = '';
  let hub: MqttClient;

  beforeAll(async () => {
    gw = await startTestGateway({ FORECARE_DATA_DIR: tempDir() });
    http = api(gw);
    const userDir = tempDir('forecare-nodered-');
    // Installed into the user dir the way `npm install <folder>` from the palette would.
    mkdirSync(join(userDir, 'node_modules'), { recursive: true });
    cpSync(PALETTE, join(userDir, 'node_modules', 'node-red-contrib-forecare'), { recursive: true });
    red = require('node-red') as NodeRed;
    const express = require('express') as () => { use: (path: string, handler: unknown) => void } & ((req: unknown, res: unknown) => void);
    const app = express();
    server = createServer(app);
    red.init(server, { userDir, httpAdminRoot: '/admin', httpNodeRoot: '/api', flowFile: 'flows.json', credentialSecret: 'test-secret', logging: { console: { level: 'warn' } }, editorTheme: { tours: false }, externalModules: { autoInstall: false } });
    app.use('/admin', red.httpAdmin);
    app.use('/api', red.httpNode);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    admin = `http://127.0.0.1:${(server.address() as AddressInfo).port}/admin`;
    await red.start();
    const { password } = (await http.call<{ password: string }>('POST', '/api/v1/hubs', { hubId: 'hub-nr' })).body;
    hub = await connectHub(gw, 'hub-nr', password);
  }, 60_000);

  afterAll(async () => {
    hub?.end(true);
    await red?.stop();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await gw?.stop();
  });

  it('loads the palette nodes', async () => {
    const nodes = (await (await fetch(`${admin}/nodes`, { headers: { accept: 'application/json' } })).json()) as { module: string; types: string[] }[];
    const ours = nodes.filter((n) => n.module === 'node-red-contrib-forecare').flatMap((n) => n.types);
    expect(ours.sort()).toEqual(['forecare-config', 'forecare-events', 'forecare-notify', 'forecare-ticket']);
  });

  it('an example flow deployed through the admin API turns a gateway alarm into a ticket made by the flow', async () => {
    const flow = (JSON.parse(readFileSync(join(PALETTE, 'examples', 'alarm-to-ticket.json'), 'utf8')) as Record<string, unknown>[]).map((n) =>
      n.type === 'forecare-config' ? { ...n, url: `http://127.0.0.1:${gw.httpPort}`, credentials: { token: ADMIN_TOKEN } } : n,
    );
    const deployed = await fetch(`${admin}/flows`, { method: 'POST', headers: { 'content-type': 'application/json', 'Node-RED-Deployment-Type': 'full' }, body: JSON.stringify(flow) });
    expect(deployed.ok).toBe(true);
    // Wait for the events node to be connected (its SSE stream is counted by the gateway).
    await until('the flow listening', async () => (/^forecare_live_streams [1-9]/m.test(await (await fetch(`http://127.0.0.1:${gw.httpPort}/metrics`)).text()) ? true : undefined), 10_000);
    await hub.publishAsync(topics.fault('hub-nr', 'hub-nr.fridge'), JSON.stringify({ ts: Date.now(), seq: 1, type: 'refrigerator', code: 'E-DEF-01', active: true }), { qos: 1 });
    const tickets = await until(
      'the ticket made by the flow',
      async () => {
        const items = (await http.call<{ items: { title: string; faultClass: string }[] }>('GET', '/api/v1/tickets')).body.items;
        return items.some((t) => t.title.startsWith('From Node-RED')) ? items : undefined;
      },
      15_000,
    );
    const fromFlow = tickets.filter((t) => t.title.startsWith('From Node-RED'));
    expect(fromFlow).toHaveLength(1);
    expect(fromFlow[0]?.faultClass).toBe('flow-fault-code');
    // The alarm's own ticket is there too: the flow adds, it does not replace.
    expect(tickets.some((t) => t.faultClass === 'defrost')).toBe(true);
  }, 30_000);
});
