import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, tempDir } from '../support/gateway.js';
import { installPalette, PALETTE } from '../support/node-red.js';
import { kill, spawnGateway, type GatewayProcess } from '../support/process.js';

/**
 * docker-compose.yml without a docker engine: the gateway and Node-RED each get a network
 * namespace of their own (their "containers"), joined by a veth pair (the compose network), and
 * Node-RED's mount namespace gets an /etc/hosts naming the gateway's address `gateway` (what
 * compose's DNS does). The machine's /etc/hosts and network are untouched, and the gateway
 * listens on the compose ports 8080 and 1883 without meeting anything else on this machine.
 * Two hosts rather than one: in one namespace 127.0.0.1:8080 would reach the gateway too, and
 * the old default URL would pass.
 */
const HOST_SCRIPT = fileURLToPath(new URL('./compose-host.mjs', import.meta.url));
const GATEWAY_IP = '10.89.0.2';
const NODE_RED_IP = '10.89.0.3';

// Namespaces need root (CI runs as root); say so rather than pass in silence elsewhere.
const namespaces = spawnSync('unshare', ['--net', '--mount', 'true']).status === 0 && spawnSync('ip', ['-V']).status === 0;

function sh(command: string, args: string[]): void {
  const r = spawnSync(command, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')}: ${r.stderr}`);
}

/** Gives the namespace of `pid` the address on its end of the link, and brings it and loopback up. */
function configure(pid: number, address: string): void {
  sh('nsenter', ['-t', String(pid), '-n', 'sh', '-c', `ip link set lo up && ip addr add ${address}/24 dev eth0 && ip link set eth0 up`]);
}

describe.skipIf(!namespaces)('Node-RED in a compose-like network reaches the gateway by its service name', () => {
  let gateway: GatewayProcess | undefined;

  afterAll(async () => {
    if (gateway !== undefined) await kill(gateway, 'SIGTERM');
  });

  it('the shipped example flow (http://gateway:8080) turns a hub fault into a ticket; 127.0.0.1:8080 inside Node-RED is not the gateway', async () => {
    gateway = await spawnGateway(tempDir(), { FORECARE_HOST: '0.0.0.0', FORECARE_HTTP_PORT: '8080', FORECARE_MQTT_PORT: '1883' }, { wrapper: ['unshare', '--net', '--'] });
    expect([gateway.httpPort, gateway.mqttPort]).toEqual([8080, 1883]);
    const hosts = join(tempDir('forecare-compose-'), 'hosts');
    writeFileSync(hosts, `127.0.0.1 localhost\n${NODE_RED_IP} node-red\n${GATEWAY_IP} gateway\n`);
    const userDir = tempDir('forecare-nodered-compose-');
    installPalette(userDir);
    // The private mount namespace keeps the bind mount of /etc/hosts to this process tree.
    const nodeRed = spawn('unshare', ['--net', '--mount', '--', 'sh', '-c', 'mount --bind "$0" /etc/hosts && exec "$1" "$2" "$3" "$4" "$5"', hosts, process.execPath, HOST_SCRIPT, PALETTE, userDir, ADMIN_TOKEN], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    nodeRed.stdout.on('data', (d: Buffer) => (out += d.toString()));
    nodeRed.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => nodeRed.on('exit', resolve));
    try {
      const [gwPid, nrPid] = [gateway.child.pid, nodeRed.pid];
      if (gwPid === undefined || nrPid === undefined) throw new Error('a host did not start');
      // One veth pair created straight into the two namespaces: no interface appears on this machine.
      sh('ip', ['link', 'add', 'eth0', 'netns', String(gwPid), 'type', 'veth', 'peer', 'name', 'eth0', 'netns', String(nrPid)]);
      configure(gwPid, GATEWAY_IP);
      configure(nrPid, NODE_RED_IP);
      const code = await exited;
      const line = out.split('\n').reverse().find((l) => l.startsWith('{"ok"'));
      expect(line, out).toBeDefined();
      const report = JSON.parse(line ?? '{}') as { ok: boolean; error?: string; gatewayAddress: string; ownLoopback8080: string; exampleUrl: string; tickets: { title: string; faultClass: string; hubId: string }[] };
      expect(report.error, out).toBeUndefined();
      expect(code).toBe(0);
      expect(report.exampleUrl).toBe('http://gateway:8080');
      expect(report.gatewayAddress).toBe(GATEWAY_IP);
      expect(report.ownLoopback8080).toBe('ECONNREFUSED');
      const fromFlow = report.tickets.filter((t) => t.title.startsWith('From Node-RED'));
      expect(fromFlow).toEqual([expect.objectContaining({ faultClass: 'flow-fault-code', hubId: 'hub-compose' })]);
      expect(report.tickets.some((t) => t.faultClass === 'defrost')).toBe(true);
    } finally {
      if (nodeRed.exitCode === null) nodeRed.kill('SIGKILL');
    }
  }, 60_000);
});
