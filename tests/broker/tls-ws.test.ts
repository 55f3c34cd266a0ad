import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import type { RunningGateway } from '@forecare/gateway';
import { topics } from '@forecare/firmware-contracts';
import { api, startTestGateway, tempDir } from '../support/gateway.js';

/** A CA, a server certificate for 127.0.0.1 and a hub client certificate (CN = hub id), made with the openssl CLI. */
function makePki(dir: string): void {
  const run = (args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  };
  run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=forecare test CA']);
  run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1']);
  execFileSync('sh', ['-c', 'printf "subjectAltName=IP:127.0.0.1\\n" > san.ext'], { cwd: dir });
  run(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'san.ext']);
  run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'hub.key', '-out', 'hub.csr', '-subj', '/CN=hub-cert']);
  run(['x509', '-req', '-in', 'hub.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'hub.pem', '-days', '2']);
}

describe('TLS and WebSocket listeners', () => {
  const pki = tempDir('forecare-pki-');
  let gw: RunningGateway;
  let password = '';

  beforeAll(async () => {
    makePki(pki);
    gw = await startTestGateway({
      FORECARE_DATA_DIR: tempDir(),
      FORECARE_MQTTS_PORT: '0',
      FORECARE_MQTT_WS_PORT: '0',
      FORECARE_TLS_CERT: join(pki, 'server.pem'),
      FORECARE_TLS_KEY: join(pki, 'server.key'),
      FORECARE_TLS_CA: join(pki, 'ca.pem'),
    });
    password = (await api(gw).call<{ password: string }>('POST', '/api/v1/hubs', { hubId: 'hub-tls' })).body.password;
    await api(gw).call('POST', '/api/v1/hubs', { hubId: 'hub-cert' });
  });

  afterAll(async () => {
    await gw?.stop();
  });

  const heartbeat = JSON.stringify({ ts: Date.now(), seq: 1 });

  it('accepts a hub over TLS with its password, verifying the server certificate', async () => {
    expect(gw.mqttsPort).toBeGreaterThan(0);
    const c = await mqtt.connectAsync(`mqtts://127.0.0.1:${gw.mqttsPort}`, { username: 'hub-tls', password, ca: readFileSync(join(pki, 'ca.pem')), protocolVersion: 4, reconnectPeriod: 0 });
    await c.publishAsync(topics.heartbeat('hub-tls'), heartbeat, { qos: 1 });
    await c.endAsync();
  });

  it('accepts a hub by its client certificate alone (CN = hub id), and refuses a wrong password without one', async () => {
    const c = await mqtt.connectAsync(`mqtts://127.0.0.1:${gw.mqttsPort}`, {
      ca: readFileSync(join(pki, 'ca.pem')),
      cert: readFileSync(join(pki, 'hub.pem')),
      key: readFileSync(join(pki, 'hub.key')),
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    await c.publishAsync(topics.heartbeat('hub-cert'), heartbeat, { qos: 1 });
    await c.endAsync();
    const refused = await mqtt.connectAsync(`mqtts://127.0.0.1:${gw.mqttsPort}`, { username: 'hub-cert', password: 'nope', ca: readFileSync(join(pki, 'ca.pem')), protocolVersion: 4, reconnectPeriod: 0 }).then(
      () => undefined,
      (e: { code?: number }) => e.code,
    );
    expect(refused).toBe(4);
  });

  it('accepts a hub over WebSocket at /mqtt', async () => {
    expect(gw.wsPort).toBeGreaterThan(0);
    const c = await mqtt.connectAsync(`ws://127.0.0.1:${gw.wsPort}/mqtt`, { username: 'hub-tls', password, protocolVersion: 4, reconnectPeriod: 0 });
    await c.publishAsync(topics.heartbeat('hub-tls'), JSON.stringify({ ts: Date.now(), seq: 2 }), { qos: 1 });
    expect(gw.ctx.broker.connectedHubIds()).toContain('hub-tls');
    await c.endAsync();
  });

  it('the broker stops while a WebSocket client is still connected (ws keeps its sockets open on close)', async () => {
    const c = await mqtt.connectAsync(`ws://127.0.0.1:${gw.wsPort}/mqtt`, { username: 'hub-tls', password, protocolVersion: 4, reconnectPeriod: 0 });
    const stopped = await Promise.race([gw.ctx.broker.stop().then(() => 'stopped'), new Promise((r) => setTimeout(() => r('hung'), 3000))]);
    expect(stopped).toBe('stopped');
    c.end(true);
  });
});
