/**
 * What every synthetic-data method offers once fitted on a node's own table: new rows of a
 * chosen class. The GAN (ctgan.ts) and the SMOTE-NC baseline (smotenc.ts) implement it, so
 * oversampling, evaluation, the CLI and the benchmark treat both alike.
 *
 * Synthetic rows are derived from the owner's customers; they live in the node's memory and
 * leave it only when the owner writes them out (`fedcredit synth --out`).
 */
import type { Table } from '../data/schema.js';
import type { Random } from '../math/random.js';

/** Names of the synthetic-data methods. */
export type SynthMethod = 'gan' | 'smotenc';

/** A fitted synthesizer. */
export interface Synthesizer {
  readonly method: SynthMethod;
  /**
   * `numRows` new rows of class `label` (1 = bad, 0 = good) with the fitted table's schema.
   * Deterministic for a given generator state.
   */
  sample(numRows: number, label: 0 | 1, rng: Random): Table;
}

/** Throw unless `numRows` is a non-negative integer and `label` is 0 or 1. */
export function checkSampleArgs(numRows: number, label: number): void {
  if (!Number.isInteger(numRows) || numRows < 0 || numRows > 10_000_000) throw new RangeError(`numRows: expected an integer in [0, 10000000], got ${numRows}`);
  if (label !== 0 && label !== 1) throw new RangeError(`label: expected 0 (good) or 1 (bad), got ${label}`);
}
