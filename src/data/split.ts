/**
 * Stratified train/test splits and k-fold cross-validation over row labels. Stratification keeps
 * each class's share the same in every part, which matters for credit data where the bad class
 * is a minority (30 % in German Credit): an unlucky random split can shift the bad rate enough
 * to move AUC by several points.
 */
import type { Random } from '../math/random.js';

/** Row indices of a split, each sorted ascending. */
export interface SplitIndices {
  readonly train: Uint32Array;
  readonly test: Uint32Array;
}

function checkLabels(labels: Uint8Array): void {
  if (!(labels instanceof Uint8Array)) throw new TypeError('labels: expected a Uint8Array');
}

function checkRng(rng: Random): void {
  if (!rng || typeof rng.shuffle !== 'function') throw new TypeError('rng: expected a Random (see deriveRandom)');
}

/**
 * Row indices grouped by label value, one array per label value that occurs, in ascending label
 * order (multi-class labels work too). Used by splitting and partitioning alike.
 */
export function indicesByClass(labels: Uint8Array): Uint32Array[] {
  const counts = new Uint32Array(256);
  for (const y of labels) counts[y]++;
  const groups: Uint32Array[] = [];
  const slot = new Int32Array(256).fill(-1);
  for (let y = 0; y < 256; y++) {
    if (counts[y] > 0) {
      slot[y] = groups.length;
      groups.push(new Uint32Array(counts[y]));
    }
  }
  const fill = new Uint32Array(groups.length);
  for (let i = 0; i < labels.length; i++) {
    const g = slot[labels[i]];
    groups[g][fill[g]++] = i;
  }
  return groups;
}

function sorted(indices: number[]): Uint32Array {
  return Uint32Array.from(indices).sort();
}

/**
 * Split rows into train and test, drawing `round(n_c · testFraction)` test rows at random from
 * each class c (at least one in each part when the class has two or more rows). Deterministic
 * for a given generator state.
 *
 * @example
 * const { train, test } = stratifiedSplit(table.label, 0.2, deriveRandom(seed, 'split'));
 */
export function stratifiedSplit(labels: Uint8Array, testFraction: number, rng: Random): SplitIndices {
  checkLabels(labels);
  if (typeof testFraction !== 'number' || !(testFraction > 0 && testFraction < 1)) {
    throw new RangeError(`testFraction: expected a number strictly between 0 and 1, got ${testFraction}`);
  }
  checkRng(rng);
  const train: number[] = [];
  const test: number[] = [];
  for (const group of indicesByClass(labels)) {
    const n = group.length;
    rng.shuffle(group);
    let numTest = Math.round(n * testFraction);
    if (n >= 2) numTest = Math.min(Math.max(numTest, 1), n - 1);
    for (let i = 0; i < n; i++) (i < numTest ? test : train).push(group[i]);
  }
  return { train: sorted(train), test: sorted(test) };
}

/**
 * Stratified k-fold cross-validation: every row is in exactly one test fold, each class is dealt
 * round-robin over the folds after a shuffle (so a fold holds ⌊n_c/k⌋ or ⌈n_c/k⌉ rows of class
 * c), and each class starts dealing where the previous one stopped so fold sizes differ by at
 * most one. Fold f's train set is every row not in its test set.
 *
 * @example
 * for (const { train, test } of stratifiedKFold(table.label, 5, deriveRandom(seed, 'cv', repeat))) { … }
 */
export function stratifiedKFold(labels: Uint8Array, k: number, rng: Random): SplitIndices[] {
  checkLabels(labels);
  if (!Number.isInteger(k) || k < 2) throw new RangeError(`k: expected an integer ≥ 2, got ${k}`);
  if (k > labels.length) throw new RangeError(`k: expected at most labels.length = ${labels.length} folds, got ${k}`);
  checkRng(rng);
  const fold = new Uint32Array(labels.length);
  let next = 0;
  for (const group of indicesByClass(labels)) {
    rng.shuffle(group);
    for (const i of group) {
      fold[i] = next;
      next = (next + 1) % k;
    }
  }
  return Array.from({ length: k }, (_, f) => {
    const train: number[] = [];
    const test: number[] = [];
    for (let i = 0; i < labels.length; i++) (fold[i] === f ? test : train).push(i);
    return { train: Uint32Array.from(train), test: Uint32Array.from(test) };
  });
}
