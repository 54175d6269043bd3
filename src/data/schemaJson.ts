/**
 * Schemas travel between nodes and the coordinator as JSON (a node describes the dataset it
 * registered under a key). Input from the network is parsed, never trusted: this checks every
 * field and bounds every list.
 */
import type { ColumnKind, ColumnSpec, Schema } from './schema.js';

const KINDS: readonly ColumnKind[] = ['numeric', 'categorical', 'ordinal', 'binary'];
const MAX_COLUMNS = 500;
const MAX_CATEGORIES = 1000;
const MAX_TEXT = 500;

/** Parse a schema received as JSON; throws TypeError naming the first bad field. */
export function parseSchemaJson(value: unknown): Schema {
  const v = object(value, 'schema');
  const name = text(v.name, 'schema.name');
  if (!Array.isArray(v.columns) || v.columns.length === 0 || v.columns.length > MAX_COLUMNS) throw new TypeError(`schema.columns: expected 1 to ${MAX_COLUMNS} columns`);
  const columns = v.columns.map((c, i) => parseColumn(c, `schema.columns[${i}]`));
  const names = new Set<string>();
  for (const c of columns) {
    if (names.has(c.name)) throw new TypeError(`schema.columns: duplicate column "${c.name}"`);
    names.add(c.name);
  }
  const t = object(v.target, 'schema.target');
  const target = { name: text(t.name, 'schema.target.name'), bad: text(t.bad, 'schema.target.bad'), ...(t.good !== undefined ? { good: text(t.good, 'schema.target.good') } : {}) };
  if (!Array.isArray(v.missingTokens) || v.missingTokens.length > 50) throw new TypeError('schema.missingTokens: expected an array of at most 50 strings');
  const missingTokens = v.missingTokens.map((m, i) => text(m, `schema.missingTokens[${i}]`, true));
  return {
    name, columns, target, missingTokens,
    ...(v.id !== undefined ? { id: text(v.id, 'schema.id') } : {}),
    ...(v.description !== undefined ? { description: text(v.description, 'schema.description', true) } : {}),
  };
}

function parseColumn(value: unknown, path: string): ColumnSpec {
  const c = object(value, path);
  const kind = c.kind as ColumnKind;
  if (!KINDS.includes(kind)) throw new TypeError(`${path}.kind: expected one of ${KINDS.join(', ')}`);
  const out: Record<string, unknown> = { name: text(c.name, `${path}.name`), kind };
  if (kind !== 'numeric') {
    if (!Array.isArray(c.categories) || c.categories.length === 0 || c.categories.length > MAX_CATEGORIES) throw new TypeError(`${path}.categories: expected 1 to ${MAX_CATEGORIES} strings`);
    out.categories = c.categories.map((x, i) => text(x, `${path}.categories[${i}]`, true));
  }
  if (c.labels !== undefined) {
    const labels = object(c.labels, `${path}.labels`);
    out.labels = Object.fromEntries(Object.entries(labels).slice(0, MAX_CATEGORIES).map(([k, x]) => [k, text(x, `${path}.labels.${k}`, true)]));
  }
  for (const key of ['min', 'max'] as const) {
    if (c[key] !== undefined) {
      if (typeof c[key] !== 'number' || !Number.isFinite(c[key])) throw new TypeError(`${path}.${key}: expected a finite number`);
      out[key] = c[key];
    }
  }
  for (const key of ['integer', 'protected'] as const) {
    if (c[key] !== undefined) {
      if (typeof c[key] !== 'boolean') throw new TypeError(`${path}.${key}: expected true or false`);
      out[key] = c[key];
    }
  }
  for (const key of ['description', 'unit'] as const) if (c[key] !== undefined) out[key] = text(c[key], `${path}.${key}`, true);
  return out as unknown as ColumnSpec;
}

function object(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TypeError(`${path}: expected an object`);
  return value as Record<string, unknown>;
}

function text(value: unknown, path: string, allowEmpty = false): string {
  if (typeof value !== 'string' || value.length > MAX_TEXT || (!allowEmpty && value.length === 0)) throw new TypeError(`${path}: expected a${allowEmpty ? '' : ' non-empty'} string of at most ${MAX_TEXT} characters`);
  return value;
}

/** Whether two schemas encode identically (same feature columns, kinds, categories and target). */
export function sameFeatureLayout(a: Schema, b: Schema): boolean {
  if (a.columns.length !== b.columns.length || a.target.bad !== b.target.bad) return false;
  return a.columns.every((c, i) => {
    const d = b.columns[i];
    return c.name === d.name && c.kind === d.kind && !!c.protected === !!d.protected && JSON.stringify(c.categories ?? []) === JSON.stringify(d.categories ?? []);
  });
}
