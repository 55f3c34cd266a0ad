import { Option, type Command } from 'commander';
import { systemClock } from '../clock.js';
import type { GatewayConfig } from '../config/config.js';
import { MQTT_CLIENT_ROLES, MqttClientRegistry, type MqttClientCredentials, type MqttClientRole } from '../hubs/mqtt-client-registry.js';
import type { Store } from '../store/db.js';
import { withStore, withStoreAsync, type Print } from './commands.js';
import { SqliteHubStore } from '../store/sqlite/hub-store.js';

const registry = (store: Store): MqttClientRegistry => new MqttClientRegistry(new SqliteHubStore(store), systemClock);
const when = (at: number | null): string => (at === null ? '-' : new Date(at).toISOString());

function printCredentials(creds: MqttClientCredentials, what: string, print: Print, json: boolean): void {
  if (json) print(JSON.stringify(creds));
  else print(`MQTT ${creds.role} account ${creds.name} ${what} — username ${creds.username} password ${creds.password} (shown once)`);
}

export async function mqttClientsAdd(config: GatewayConfig, name: string, role: MqttClientRole, print: Print, json = false): Promise<void> {
  printCredentials(await withStoreAsync(config, (store) => registry(store).provision({ name, role })), 'provisioned', print, json);
}

export function mqttClientsList(config: GatewayConfig, print: Print, json: boolean): void {
  const accounts = withStore(config, (store) => registry(store).list());
  if (json) print(JSON.stringify(accounts));
  else for (const a of accounts) print(`${a.username.padEnd(32)} ${a.revokedAt !== null ? 'revoked' : 'active '} created ${when(a.createdAt)} rotated ${when(a.rotatedAt)}`);
}

export async function mqttClientsRotate(config: GatewayConfig, name: string, print: Print, json = false): Promise<void> {
  printCredentials(await withStoreAsync(config, (store) => registry(store).rotate(name)), 'rotated', print, json);
  // Only the API (POST /api/v1/mqtt-clients/:name/rotate) can close a running gateway's connections.
  if (!json) print('the old password stops working at the next login; connections already open stay until they reconnect');
}

export function mqttClientsRevoke(config: GatewayConfig, name: string, print: Print): void {
  const revoked = withStore(config, (store) => registry(store).revoke(name));
  print(`MQTT ${revoked.role} account ${revoked.name} revoked (a running gateway refuses its next login; DELETE /api/v1/mqtt-clients/${revoked.name} also closes its connections)`);
}

/** `forecare mqtt-clients add|list|rotate|revoke`, on the data directory like `hubs`. */
export function registerMqttClientCommands(program: Command, loadConfig: () => GatewayConfig, print: Print): void {
  const clients = program.command('mqtt-clients').description('provision, list, rotate and revoke read-only MQTT accounts for integrations (service) and operators (admin), in the data directory');
  clients
    .command('add')
    .description('provision an MQTT account (username {role}:{name}) and print its password once')
    .argument('<name>', 'account name')
    .addOption(new Option('--role <role>', 'service: subscribe under forecare/v1/; admin: anything, $SYS/# included').choices(MQTT_CLIENT_ROLES).makeOptionMandatory())
    .option('--json', 'JSON output (the password included)', false)
    .action(async (name: string, o: { role: MqttClientRole; json: boolean }) => mqttClientsAdd(loadConfig(), name, o.role, print, o.json));
  clients
    .command('list')
    .description('list MQTT accounts')
    .option('--json', 'JSON output', false)
    .action((o: { json: boolean }) => mqttClientsList(loadConfig(), print, o.json));
  clients
    .command('rotate')
    .description('give an MQTT account a new password, printed once; the old one stops working (a revoked account is reinstated)')
    .argument('<name>', 'account name')
    .option('--json', 'JSON output (the new password included)', false)
    .action(async (name: string, o: { json: boolean }) => mqttClientsRotate(loadConfig(), name, print, o.json));
  clients
    .command('revoke')
    .description('revoke an MQTT account: its credentials stop working')
    .argument('<name>', 'account name')
    .action((name: string) => mqttClientsRevoke(loadConfig(), name, print));
}
