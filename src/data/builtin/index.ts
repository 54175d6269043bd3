/**
 * The built-in datasets: their schemas, where their CSV files live, and a one-call loader. The
 * data/ folder is found relative to this module so that the same code works from src/ (tsx,
 * vitest) and from the compiled dist/ of an installed package.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, DataError } from '../../errors.js';
import { loadCsv } from '../csv.js';
import type { Schema, Table } from '../schema.js';
import { creditDataSchema } from './creditData.js';
import { germanSchema } from './german.js';

/** Names of the built-in datasets. */
export type BuiltinName = 'german' | 'credit_data';

/** Built-in schemas by dataset name. */
export const builtinSchemas: Readonly<Record<BuiltinName, Schema>> = Object.freeze({
  german: germanSchema,
  credit_data: creditDataSchema,
});

const FILES: Readonly<Record<BuiltinName, string>> = Object.freeze({
  german: 'german_credit.csv',
  credit_data: 'credit_data.csv',
});

/** Whether `name` is a built-in dataset name (for CLI validation). */
export function isBuiltinName(name: unknown): name is BuiltinName {
  return typeof name === 'string' && Object.hasOwn(builtinSchemas, name);
}

function checkName(name: unknown): asserts name is BuiltinName {
  if (!isBuiltinName(name)) {
    throw new ConfigError(
      `name: unknown built-in dataset ${JSON.stringify(name)}; expected one of ${Object.keys(builtinSchemas).join(', ')}`,
      'DATASET_UNKNOWN',
    );
  }
}

/** The schema of a built-in dataset; throws `ConfigError` listing the names for anything else. */
export function getBuiltinSchema(name: BuiltinName): Schema {
  checkName(name);
  return builtinSchemas[name];
}

let cachedDataDir: string | undefined;

/**
 * The repository's (or installed package's) data/ folder: the nearest ancestor of this module
 * that holds both package.json and a data/ folder.
 */
export function dataDir(): string {
  if (cachedDataDir !== undefined) return cachedDataDir;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const data = join(dir, 'data');
    if (existsSync(join(dir, 'package.json')) && existsSync(data) && statSync(data).isDirectory()) {
      cachedDataDir = data;
      return data;
    }
    const parent = dirname(dir);
    if (parent === dir) {
      throw new DataError('cannot find the data/ folder: no ancestor of the fedcredit module has package.json and data/', {
        code: 'DATA_FILE',
      });
    }
    dir = parent;
  }
}

/**
 * Absolute path of a built-in dataset's CSV file.
 *
 * @example builtinDataPath('german') // …/data/german_credit.csv
 */
export function builtinDataPath(name: BuiltinName): string {
  checkName(name);
  return join(dataDir(), FILES[name]);
}

/** Load a built-in dataset with its schema (strict validation, as for any lender's file). */
export function loadBuiltin(name: BuiltinName): Table {
  return loadCsv(builtinDataPath(name), getBuiltinSchema(name));
}
