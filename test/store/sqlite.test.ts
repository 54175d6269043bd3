/** The store conformance suite on SQLite: a fresh database file in a temporary directory per test. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll } from 'vitest';
import { openStore } from '../../src/store/open.js';
import { storeConformance } from './conformance.js';
import type { TestDatabase } from './conformance.js';

const root = mkdtempSync(join(tmpdir(), 'fedcredit-store-'));
let counter = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function freshSqlite(): Promise<TestDatabase> {
  const file = join(root, `db-${++counter}`, 'fedcredit.db');
  const url = `sqlite:${file}`;
  let direct: BetterSqlite3.Database | undefined;
  return {
    url,
    open: (options) => openStore(url, options),
    async query(sqlText) {
      // A separate connection, as an operator's sqlite3 shell would be.
      direct ??= new BetterSqlite3(file, { timeout: 5000 });
      const statement = direct.prepare(sqlText);
      if (statement.reader) return statement.all() as Record<string, unknown>[];
      statement.run();
      return [];
    },
    async dispose() {
      direct?.close();
    },
  };
}

storeConformance('SQLite', freshSqlite);
