#!/usr/bin/env node
import { Command } from 'commander';
import { loadConfig } from '../config/config.js';
import { SETTINGS } from '../config/settings.js';
import { startGateway } from '../controller.js';
import { isGatewayError } from '../errors.js';

function fail(err: unknown): never {
  // One line for what the operator can fix; a stack only for what they cannot.
  if (isGatewayError(err)) console.error(`forecare: ${err.message}`);
  else console.error('forecare: unexpected error', err);
  process.exit(1);
}

const program = new Command('forecare').description('forecare proactive-service gateway').version('0.1.0');

program
  .command('start')
  .description('run the gateway (MQTT broker, rules, tickets, contact-center delivery, API and console)')
  .addHelpText('after', `\nSettings (environment variable, default):\n${SETTINGS.map((s) => `  ${s.env.padEnd(32)} ${s.default === '' ? '(empty)' : s.default}\n      ${s.description}`).join('\n')}`)
  .action(async () => {
    try {
      const config = loadConfig();
      const gw = await startGateway(config);
      const host = config.host;
      console.log(`forecare gateway listening: MQTT mqtt://${host}:${gw.mqttPort}  HTTP http://${host}:${gw.httpPort} (console /, API /api/v1, docs /docs, metrics /metrics)`);
      if (gw.mqttsPort !== undefined) console.log(`MQTT over TLS: mqtts://${host}:${gw.mqttsPort}`);
      if (gw.wsPort !== undefined) console.log(`MQTT over WebSocket: ws://${host}:${gw.wsPort}/mqtt`);
      console.log(`data directory: ${config.dataDir}`);
      if (gw.generatedAdminToken !== undefined) {
        console.log(`admin token (shown once; kept in ${config.dataDir}/admin-token): ${gw.generatedAdminToken}`);
      }
      let stopping = false;
      const stop = (signal: string): void => {
        if (stopping) return;
        stopping = true;
        console.log(`forecare: ${signal} received, stopping`);
        gw.stop().then(
          () => process.exit(0),
          (err: unknown) => fail(err),
        );
      };
      process.on('SIGINT', () => stop('SIGINT'));
      process.on('SIGTERM', () => stop('SIGTERM'));
    } catch (err) {
      fail(err);
    }
  });

program.parseAsync(process.argv).catch(fail);
