import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { describe, expect, it } from 'vitest';
import { upgradeAlarmKey } from '@forecare/rules';
import { migrationsFolder, openStore } from './db.js';

/** A copy of the committed migrations up to (and including) `lastTag`: a data dir as an older release left it. */
function migrationsUpTo(lastTag: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'forecare-migrations-'));
  cpSync(migrationsFolder, dir, { recursive: true });
  const journalFile = join(dir, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: { tag: string }[] };
  const last = journal.entries.findIndex((e) => e.tag === lastTag);
  expect(last).toBeGreaterThanOrEqual(0);
  writeFileSync(journalFile, JSON.stringify({ ...journal, entries: journal.entries.slice(0, last + 1) }));
  return dir;
}

describe('migrations over existing data', () => {
  it('0009 keys appliances by (hub, appliance): existing rows are kept, and a second home may then add its own fridge-1', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'forecare-mig-')), 'forecare.db');
    const old = new Database(file);
    migrate(drizzle(old), { migrationsFolder: migrationsUpTo('0008_alarms_ticket') });
    old.prepare("INSERT INTO appliances (appliance_id, hub_id, customer_id, type, model, serial, created_at) VALUES ('fridge-1', 'hub-a', 'cus-a', 'refrigerator', 'RF-1', 'SN-1', 1)").run();
    old.close();

    const store = openStore(file);
    try {
      expect(store.sqlite.prepare('SELECT hub_id, appliance_id, customer_id, serial FROM appliances').all()).toEqual([{ hub_id: 'hub-a', appliance_id: 'fridge-1', customer_id: 'cus-a', serial: 'SN-1' }]);
      store.sqlite.prepare("INSERT INTO appliances (appliance_id, hub_id, type, created_at) VALUES ('fridge-1', 'hub-b', 'refrigerator', 2)").run();
      expect(() => store.sqlite.prepare("INSERT INTO appliances (appliance_id, hub_id, type, created_at) VALUES ('fridge-1', 'hub-b', 'refrigerator', 3)").run()).toThrow(/UNIQUE|PRIMARY/);
      expect(store.sqlite.prepare('SELECT count(*) AS n FROM appliances').get()).toEqual({ n: 2 });
    } finally {
      store.close();
    }
  });

  it('0011 names the hub in alarm keys of appliance alarms, as the engine upgrades its own (upgradeAlarmKey), and leaves hub alarms and new keys', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'forecare-mig-')), 'forecare.db');
    const old = new Database(file);
    migrate(drizzle(old), { migrationsFolder: migrationsUpTo('0010_live_events_and_ticket_notices') });
    const alarm = old.prepare("INSERT INTO alarms (alarm_key, rule_id, rule_version, hub_id, appliance_id, key, status, severity, title, count, first_seen, last_seen, updated_at) VALUES (?, 'r', 1, ?, ?, 'k', 'raised', 'warning', 't', 1, 1, 1, 1)");
    alarm.run('fridge-1|fault-code|E-CMP-01', 'home-a', 'fridge-1');
    alarm.run('home-a|hub-offline|offline', 'home-a', null);
    alarm.run('home-b/fridge-1|fault-code|E-CMP-01', 'home-b', 'fridge-1');
    old.prepare("INSERT INTO tickets (ticket_id, status, hub_id, appliance_id, fault_class, severity, title, details, alarm_key, opened_at, updated_at) VALUES ('T-1', 'open', 'home-a', 'fridge-1', 'compressor', 'critical', 't', '{}', 'fridge-1|fault-code|E-CMP-01', 1, 1)").run();
    old.close();
    const store = openStore(file);
    try {
      const keys = (store.sqlite.prepare('SELECT alarm_key FROM alarms ORDER BY alarm_key').all() as { alarm_key: string }[]).map((r) => r.alarm_key);
      expect(keys).toEqual(['home-a/fridge-1|fault-code|E-CMP-01', 'home-a|hub-offline|offline', 'home-b/fridge-1|fault-code|E-CMP-01']);
      expect(keys[0]).toBe(upgradeAlarmKey('fridge-1|fault-code|E-CMP-01', 'home-a', 'fridge-1'));
      expect(store.sqlite.prepare("SELECT alarm_key FROM tickets WHERE ticket_id = 'T-1'").get()).toEqual({ alarm_key: 'home-a/fridge-1|fault-code|E-CMP-01' });
    } finally {
      store.close();
    }
  });
});
