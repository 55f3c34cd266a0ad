// The `node-red` service of docker-compose.yml, run by tests/node-red/compose-network.test.ts in a
// network and mount namespace of its own: its /etc/hosts names the gateway's host as `gateway`,
// nothing listens on its own 127.0.0.1:8080, and it reaches the gateway only over the veth link
// the test made. It deploys the palette's example flow as shipped (http://gateway:8080), drives a
// fault through the gateway as a hub would, and prints one JSON line with what it saw.
//
//   node compose-host.mjs <palette dir> <Node-RED user dir, palette installed> <admin token>
import { readFileSync } from 'node:fs';
import { lookup } from 'node:dns/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { deploy, startEmbedded } from '../support/node-red-runtime.mjs';

const [palette, userDir, token] = process.argv.slice(2);
const require = createRequire(import.meta.url);
const GATEWAY = 'http://gateway:8080';
const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
const report = {};

async function until(what, probe, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}: ${last?.message ?? 'no answer'}`);
}

async function main() {
  report.gatewayAddress = (await lookup('gateway')).address;
  // Like compose's depends_on: service_healthy.
  await until('the gateway to be healthy', async () => ((await fetch(`${GATEWAY}/api/v1/health`)).ok ? true : undefined), 20_000);
  // What the palette's old default pointed at: inside this host that is Node-RED's own address.
  report.ownLoopback8080 = await fetch('http://127.0.0.1:8080/api/v1/health').then((r) => `HTTP ${r.status}`, (err) => err.cause?.code ?? err.message);

  const hub = await (await fetch(`${GATEWAY}/api/v1/hubs`, { method: 'POST', headers: auth, body: JSON.stringify({ hubId: 'hub-compose' }) })).json();

  const nodeRed = await startEmbedded(userDir);
  const connected = new Set();
  nodeRed.red.events.on('node-status', ({ id, status }) => status?.text === 'connected' && connected.add(id));

  try {
    // The example as shipped; only the token, a credential never kept in a flow file, is added.
    const example = JSON.parse(readFileSync(join(palette, 'examples', 'alarm-to-ticket.json'), 'utf8'));
    report.exampleUrl = example.find((n) => n.type === 'forecare-config')?.url;
    const flow = example.map((n) => (n.type === 'forecare-config' ? { ...n, credentials: { token } } : n));
    await deploy(nodeRed.admin, flow);
    const events = flow.filter((n) => n.type === 'forecare-events').map((n) => n.id);
    await until('the events node to connect to the gateway', () => (events.every((id) => connected.has(id)) ? true : undefined), 15_000);

    const mqtt = require('mqtt');
    const client = await mqtt.connectAsync('mqtt://gateway:1883', { username: hub.username, password: hub.password, clientId: 'hub-compose-1', protocolVersion: 4, reconnectPeriod: 0 });
    await client.publishAsync('forecare/v1/hub-compose/appliances/fridge-1/fault', JSON.stringify({ ts: Date.now(), seq: 1, type: 'refrigerator', code: 'E-DEF-01', active: true }), { qos: 1 });
    await client.endAsync();

    const tickets = await until(
      'the ticket made by the flow',
      async () => {
        const items = (await (await fetch(`${GATEWAY}/api/v1/tickets`, { headers: auth })).json()).items;
        return items.some((t) => t.title.startsWith('From Node-RED')) ? items : undefined;
      },
      15_000,
    );
    report.tickets = tickets.map((t) => ({ title: t.title, faultClass: t.faultClass, hubId: t.hubId }));
  } finally {
    await nodeRed.stop();
  }
}

main().then(
  () => {
    console.log(JSON.stringify({ ok: true, ...report }));
    process.exit(0);
  },
  (err) => {
    console.log(JSON.stringify({ ok: false, error: err.message, ...report }));
    process.exit(1);
  },
);
