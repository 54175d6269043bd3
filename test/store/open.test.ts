import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { openStore, parseStoreUrl, resolveStoreUrl } from '../../src/store/open.js';

describe('resolveStoreUrl', () => {
  it('prefers --db, then DATABASE_URL, then the data directory', () => {
    const env = { DATABASE_URL: 'postgres://db.example/fed', FEDCREDIT_DATA_DIR: '/var/lib/fc' };
    expect(resolveStoreUrl({ db: 'sqlite:/tmp/x.db', env })).toBe('sqlite:/tmp/x.db');
    expect(resolveStoreUrl({ env })).toBe('postgres://db.example/fed');
    expect(resolveStoreUrl({ env: { FEDCREDIT_DATA_DIR: '/var/lib/fc' } })).toBe('sqlite:/var/lib/fc/fedcredit.db');
    expect(resolveStoreUrl({ env: {}, dataDir: 'state' })).toBe(`sqlite:${resolve('state/fedcredit.db')}`);
    expect(resolveStoreUrl({ env: {} })).toBe(`sqlite:${resolve('.fedcredit/fedcredit.db')}`);
    expect(resolveStoreUrl({ db: '', env: { DATABASE_URL: '' } })).toBe(`sqlite:${resolve('.fedcredit/fedcredit.db')}`);
  });
});

describe('parseStoreUrl', () => {
  it('maps URL forms to dialects and driver targets', () => {
    expect(parseStoreUrl('postgres://u@h:5432/db')).toEqual({ dialect: 'postgres', target: 'postgres://u@h:5432/db' });
    expect(parseStoreUrl('postgresql://u@h/db')).toEqual({ dialect: 'postgres', target: 'postgresql://u@h/db' });
    expect(parseStoreUrl('sqlite:/abs/f.db')).toEqual({ dialect: 'sqlite', target: '/abs/f.db' });
    expect(parseStoreUrl('sqlite:///abs/f.db')).toEqual({ dialect: 'sqlite', target: '/abs/f.db' });
    expect(parseStoreUrl('sqlite:rel/f.db')).toEqual({ dialect: 'sqlite', target: 'rel/f.db' });
    expect(parseStoreUrl('sqlite::memory:')).toEqual({ dialect: 'sqlite', target: ':memory:' });
    expect(parseStoreUrl(':memory:')).toEqual({ dialect: 'sqlite', target: ':memory:' });
    expect(parseStoreUrl('data/f.db')).toEqual({ dialect: 'sqlite', target: 'data/f.db' });
  });

  it('rejects unsupported schemes and non-strings', () => {
    expect(() => parseStoreUrl('mysql://h/db')).toThrow(ConfigError);
    expect(() => parseStoreUrl('')).toThrow(TypeError);
    expect(() => parseStoreUrl(5 as unknown as string)).toThrow(TypeError);
  });
});

describe('openStore', () => {
  it('keeps separate :memory: databases separate', async () => {
    const a = await openStore(':memory:');
    const b = await openStore('sqlite::memory:');
    try {
      await a.createInstitution({ name: 'Only in A' });
      expect(await b.listInstitutions()).toEqual([]);
      expect(a.dialect).toBe('sqlite');
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('rejects a non-function clock and an empty SQLite path', async () => {
    await expect(openStore(':memory:', { now: 5 as unknown as () => number })).rejects.toThrow(TypeError);
    await expect(openStore('sqlite:')).rejects.toThrow(ConfigError);
  });
});
