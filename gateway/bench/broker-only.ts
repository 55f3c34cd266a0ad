/**
 * The gateway's broker layer alone, in its own process: the real Broker (per-hub password
 * login, ACL on every PUBLISH, hygiene checks, packet-size guard, in-flight limit, metrics)
 * with nothing behind it — every PUBLISH is acknowledged once per event-loop turn, in one
 * batch, as the journal acknowledges a group commit, but without decoding, journaling or
 * rules. run.ts measures it against bare aedes to show what the broker thread has left for
 * the pipeline. Arguments: the bench data dir (its hubs provisioned by run.ts).
 */
import { join } from 'node:path';
import { systemClock } from '../dist/clock.js';
import { Broker, type IngestPort } from '../dist/broker/broker.js';
import { loadConfig } from '../dist/config/config.js';
import { HubRegistry } from '../dist/hubs/hub-registry.js';
import { MqttClientRegistry } from '../dist/hubs/mqtt-client-registry.js';
import { createLogger } from '../dist/log.js';
import { Metrics } from '../dist/metrics/metrics.js';
import { openStore } from '../dist/store/db.js';
import { SqliteHubStore } from '../dist/store/sqlite/hub-store.js';

const [dataDir = ''] = process.argv.slice(2);
const config = loadConfig({ ...process.env, FORECARE_DATA_DIR: dataDir, FORECARE_MQTT_PORT: '0', FORECARE_HTTP_PORT: '0', FORECARE_LOG_LEVEL: 'warn', FORECARE_CONFIG: join(dataDir, 'none.json') });
const store = openStore(join(dataDir, 'forecare.db'));
const metrics = new Metrics();
const logger = createLogger({ level: config.logLevel });
const hubStore = new SqliteHubStore(store);

let pending: ((err?: Error) => void)[] = [];
const flush = (): void => {
  const batch = pending;
  pending = [];
  for (const done of batch) done();
};
const ingest: IngestPort = {
  accept(_publisher, _topic, _payload, done) {
    pending.push(done);
    if (pending.length === 1) setImmediate(flush);
  },
};
const broker = new Broker(new HubRegistry(hubStore, systemClock), new MqttClientRegistry(hubStore, systemClock), ingest, metrics, logger, config.mqtt);

const port = await broker.start('127.0.0.1', 0);
console.log(`listening ${port}`);
process.on('SIGTERM', () => {
  void broker.stop().then(() => {
    store.close();
    process.exit(0);
  });
});
