/**
 * The privacy ledger's file: the records it holds (charged entries and reservations), their
 * checks, and reading and writing `privacy-ledger.json`. Reading is strict — a damaged file is a
 * ConfigError naming it, never an empty ledger, because an empty ledger would hand out spent
 * budget again — and writing is atomic (temporary file, then rename).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError } from '../errors.js';
import { checkPrivacyCost, type PrivacyCost, type PrivacySpend } from './cost.js';

/** What a release was. */
export type SpendKind = 'dpsgd' | 'dp-fedavg' | 'analytics';

/** Every {@link SpendKind}, for checks. */
export const SPEND_KINDS: readonly string[] = ['dpsgd', 'dp-fedavg', 'analytics'];

/** One release charged to a dataset. */
export interface LedgerEntry extends PrivacySpend {
  /** Idempotency key, e.g. `job-7:3` or `analytics:job-9:q1`. */
  readonly key: string;
  readonly datasetKey: string;
  readonly jobId: string;
  readonly kind: SpendKind;
  /** Epoch ms when charged. */
  readonly at: number;
  readonly details: Readonly<Record<string, string | number | boolean>>;
}

/** Budget a running job holds for the rest of its plan (one SGM cost over all its steps). */
export interface Reservation extends PrivacySpend {
  readonly jobId: string;
  readonly datasetKey: string;
  readonly kind: SpendKind;
  readonly cost: Extract<PrivacyCost, { mechanism: 'sgm' }>;
  readonly at: number;
}

const FORMAT = 'fedcredit-privacy-ledger';

/** A non-empty id of at most 400 characters (job ids, dataset keys, charge keys). */
export function checkText(name: string, value: unknown): string {
  if (typeof value !== 'string' || value === '' || value.length > 400) throw new TypeError(`${name}: expected a non-empty string of at most 400 characters`);
  return value;
}

/** A finite ε, δ or time ≥ 0. */
export function checkSpendNumber(name: string, value: unknown): number {
  if (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value)) throw new RangeError(`${name}: expected a finite number ≥ 0, got ${String(value)}`);
  return value;
}

/** Write the ledger atomically: a crash leaves the old file or the new one, never half of one. */
export function writeLedgerFile(file: string, entries: readonly LedgerEntry[], reservations: readonly Reservation[]): void {
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify({ format: FORMAT, version: 1, entries, reservations }, null, 2)}\n`, { mode: 0o600 });
  renameSync(temp, file);
}

/** Read the ledger file (empty when it does not exist yet); throws ConfigError when damaged. */
export function readLedgerFile(file: string): { entries: LedgerEntry[]; reservations: Reservation[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], reservations: [] };
    throw new ConfigError(`${file}: cannot read the privacy ledger (${(err as Error).message})`, 'PRIVACY_LEDGER_FILE');
  }
  const fail = (why: string): never => {
    // Never start from an empty ledger over a damaged one: that would hand out spent budget again.
    throw new ConfigError(`${file}: ${why}; restore the file from a backup (deleting it would forget every spend)`, 'PRIVACY_LEDGER_FILE');
  };
  let body: { format?: unknown; version?: unknown; entries?: unknown; reservations?: unknown };
  try {
    body = JSON.parse(text);
  } catch {
    return fail('not valid JSON');
  }
  if (body?.format !== FORMAT || body.version !== 1 || !Array.isArray(body.entries) || !Array.isArray(body.reservations)) {
    return fail(`expected { "format": "${FORMAT}", "version": 1, "entries": [...], "reservations": [...] }`);
  }
  const common = (r: Record<string, unknown>, where: string) => {
    try {
      checkText(`${where}.jobId`, r.jobId);
      checkText(`${where}.datasetKey`, r.datasetKey);
      if (!SPEND_KINDS.includes(r.kind as string)) throw new RangeError(`${where}.kind: expected one of ${SPEND_KINDS.join(', ')}`);
      checkPrivacyCost(r.cost, `${where}.cost`);
      checkSpendNumber(`${where}.epsilon`, r.epsilon);
      checkSpendNumber(`${where}.delta`, r.delta);
      checkSpendNumber(`${where}.at`, r.at);
    } catch (err) {
      fail((err as Error).message);
    }
  };
  const entries = body.entries.map((e: Record<string, unknown>, i: number) => {
    if (typeof e !== 'object' || e === null) return fail(`entries[${i}]: expected an object`);
    common(e, `entries[${i}]`);
    if (typeof e.key !== 'string' || e.key === '') return fail(`entries[${i}].key: expected a non-empty string`);
    if (typeof e.details !== 'object' || e.details === null) return fail(`entries[${i}].details: expected an object`);
    return e as unknown as LedgerEntry;
  });
  const reservations = body.reservations.map((r: Record<string, unknown>, i: number) => {
    if (typeof r !== 'object' || r === null) return fail(`reservations[${i}]: expected an object`);
    common(r, `reservations[${i}]`);
    if ((r.cost as PrivacyCost).mechanism !== 'sgm') return fail(`reservations[${i}].cost: expected a sampled-Gaussian plan`);
    return r as unknown as Reservation;
  });
  return { entries, reservations };
}
