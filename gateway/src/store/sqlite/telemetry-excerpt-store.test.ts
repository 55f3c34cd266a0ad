import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { telemetryExcerptStoreContract } from '../contract/telemetry-excerpt-store.contract.js';
import { openStore } from '../db.js';
import { SqliteTelemetryExcerptStore } from './telemetry-excerpt-store.js';

telemetryExcerptStoreContract('SQLite', () => {
  const store = openStore(join(mkdtempSync(join(tmpdir(), 'forecare-excerpts-')), 'gw.db'));
  const insert = store.sqlite.prepare('INSERT INTO telemetry (id, appliance_id, hub_id, at, device_ts, metrics) VALUES (?, ?, ?, ?, ?, ?)');
  return Promise.resolve({
    excerpts: new SqliteTelemetryExcerptStore(store),
    insertRaw: (p, metrics) => Promise.resolve(void insert.run(p.id, p.applianceId, p.hubId, p.at, p.deviceTs, metrics)),
    close: () => Promise.resolve(store.close()),
  });
});
