import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { migrationsFolder, openStore } from '../store/db.js';
import { CustomerRegistry } from './customer-registry.js';

function setup() {
  const store = openStore(join(mkdtempSync(join(tmpdir(), 'customers-')), 'db.sqlite'));
  const customers = new CustomerRegistry(store, new ManualClock(1_700_000_000_000));
  customers.create({ customerId: 'ada', name: 'Ada', phone: '+44 (20) 7946-0001' });
  customers.create({ customerId: 'alan', name: 'Alan', phone: '0161 496 0002' });
  customers.create({ customerId: 'grace', name: 'Grace', phone: '+1 555 496 0002' });
  customers.create({ customerId: 'nobody', name: 'No number', phone: '...' });
  return { store, customers };
}

const ids = (rows: { customerId: string }[]): string[] => rows.map((c) => c.customerId).sort();

describe('customers', () => {
  it('finds a caller by number in any format, with or without country code or trunk zero', () => {
    const { customers } = setup();
    expect(ids(customers.findByPhone('+442079460001'))).toEqual(['ada']);
    expect(ids(customers.findByPhone('020 7946 0001'))).toEqual(['ada']);
    expect(ids(customers.findByPhone('+44 161 496 0002'))).toEqual(['alan']);
    expect(ids(customers.findByPhone('496 0002'))).toEqual(['alan', 'grace']); // the same last digits: both are offered
    expect(ids(customers.findByPhone('60002'))).toEqual(['alan', 'grace']); // a fragment
    expect(customers.findByPhone('+49 30 1234567')).toEqual([]);
    expect(customers.findByPhone('0002')).toEqual([]); // too short to mean anyone
  });

  it('a new number is found by its new digits, and lifts a wrong-number mark', () => {
    const { customers } = setup();
    customers.update('ada', { phoneInvalidAt: 1 });
    expect(customers.update('ada', { name: 'Ada L.' }).phoneInvalidAt).toBe(1);
    expect(customers.update('ada', { phone: '+44 20 7946 0999' }).phoneInvalidAt).toBeNull();
    expect(customers.findByPhone('+442079460001')).toEqual([]);
    expect(ids(customers.findByPhone('020 7946 0999'))).toEqual(['ada']);
  });

  it('the migration fills the phone key of existing customers as the registry does', () => {
    const { store, customers } = setup();
    const migration = readFileSync(join(migrationsFolder, '0006_customers_phone_tail.sql'), 'utf8');
    const backfill = migration.split('--> statement-breakpoint').find((s) => s.includes('UPDATE'));
    expect(backfill).toBeDefined();
    const before = store.sqlite.prepare('SELECT customer_id, phone_tail FROM customers ORDER BY customer_id').all();
    store.sqlite.exec("UPDATE customers SET phone_tail = ''");
    store.sqlite.exec(backfill ?? '');
    expect(store.sqlite.prepare('SELECT customer_id, phone_tail FROM customers ORDER BY customer_id').all()).toEqual(before);
    expect(ids(customers.findByPhone('+44 20 7946 0001'))).toEqual(['ada']);
  });
});
