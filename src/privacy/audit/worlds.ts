/**
 * The data layout of a membership audit. Each repeat splits the dataset once, stratified:
 *
 *   target half ── dealt to N nodes; each node keeps `memberFraction` of its rows for training
 *   │              (the members) and holds out the rest (non-members, also the test set)
 *   auxiliary half ── the attacker's own data of the same distribution, disjoint from the
 *                     target's; each shadow federation deals it out the same way with its own
 *                     seed, so shadows see the same amount of data as the target
 *
 * The shadows' training sets overlap one another, as Shokri et al. (S&P 2017, §IV-B) allow
 * when data is scarce; each is disjoint from its own held-out rows and from the target's data.
 */
import { partition, type PartitionSpec } from '../../data/partition.js';
import { selectRows, type Table } from '../../data/schema.js';
import { stratifiedSplit } from '../../data/split.js';
import { deriveRandom, type Random, type SeedPart } from '../../math/random.js';
import type { Model } from '../../model/model.js';
import type { NodeDataset } from '../../node/jobContext.js';
import { encodeTable, type EncoderSpec } from '../../preprocess/encoder.js';
import { concatTables } from '../../simulation/dataset.js';
import type { LabelledPredictions, MembershipObservation } from './membership.js';

/**
 * Split `table` into the target's rows and the attacker's auxiliary rows, stratified by label.
 *
 * @example const { target, auxiliary } = splitTargetAndAuxiliary(table, 0.5, deriveRandom(seed, 'audit', repeat));
 */
export function splitTargetAndAuxiliary(table: Table, auxiliaryFraction: number, rng: Random): { target: Table; auxiliary: Table } {
  if (typeof auxiliaryFraction !== 'number' || !(auxiliaryFraction > 0 && auxiliaryFraction < 1)) throw new RangeError(`auxiliaryFraction: expected a number in (0, 1), got ${auxiliaryFraction}`);
  const s = stratifiedSplit(table.label, auxiliaryFraction, rng);
  return { target: selectRows(table, s.train), auxiliary: selectRows(table, s.test) };
}

/** Options of {@link dealWorld}. */
export interface DealOptions {
  readonly numNodes: number;
  /** Fraction of each node's rows it trains on (members); the rest are held out. */
  readonly memberFraction: number;
  readonly partition?: PartitionSpec;
  readonly datasetKey: string;
  /** Seed path of this world, e.g. (seed, 'repeat', 2, 'shadow', 1). */
  readonly seed: readonly SeedPart[];
}

/** Deal a table out to nodes and split each node's rows into members and held-out rows. */
export function dealWorld(table: Table, options: DealOptions): NodeDataset[] {
  const { numNodes, memberFraction } = options;
  if (!Number.isInteger(numNodes) || numNodes < 1) throw new RangeError(`numNodes: expected an integer ≥ 1, got ${numNodes}`);
  if (typeof memberFraction !== 'number' || !(memberFraction > 0 && memberFraction < 1)) throw new RangeError(`memberFraction: expected a number in (0, 1), got ${memberFraction}`);
  if (!Array.isArray(options.seed) || options.seed.length === 0) throw new TypeError('seed: expected a non-empty seed path');
  const [root, ...path] = options.seed;
  const parts = partition(table, options.partition ?? { scheme: 'iid' }, numNodes, deriveRandom(root, ...path, 'partition'));
  return parts.map((rows, n) => {
    const nodeTable = selectRows(table, rows);
    const s = stratifiedSplit(nodeTable.label, 1 - memberFraction, deriveRandom(root, ...path, 'members', n));
    return { key: options.datasetKey, train: selectRows(nodeTable, s.train), test: selectRows(nodeTable, s.test) };
  });
}

/** A model's predictions on a table. */
export function predictTable(model: Model, encoder: EncoderSpec, table: Table): LabelledPredictions {
  return { proba: model.predictProba(encodeTable(encoder, table)), labels: table.label };
}

/** The released model's predictions on the union of the nodes' training rows and of their held-out rows. */
export function observeMembership(model: Model, encoder: EncoderSpec, nodes: readonly NodeDataset[]): MembershipObservation {
  return {
    members: predictTable(model, encoder, concatTables(nodes.map((n) => n.train))),
    nonMembers: predictTable(model, encoder, concatTables(nodes.map((n) => n.test))),
  };
}
