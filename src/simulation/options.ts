/**
 * Options of a simulated federation (`fedcredit simulate`), their defaults and validation.
 */
import { ConfigError } from '../errors.js';
import type { PartitionSpec } from '../data/partition.js';
import type { StrategyName } from '../strategy/strategy.js';
import type { TrainSettings } from '../coordinator/roundLoop.js';
import type { ModelSpec } from '../node/jobContext.js';
import type { PersonalizationOptions } from './personalize.js';
import { gbdtParams, type GbdtParams } from '../model/gbdt/params.js';
import { resolvePrivacy, type DpSgdSettings, type ResolvedPrivacy } from '../privacy/plan.js';

/** Record-level DP-SGD at every simulated node (`--dp-epsilon` …): σ is calibrated to the budget. */
export interface SimulationDpOptions {
  /** Target ε of the whole run, per node (each node's records). */
  readonly epsilon: number;
  /** Default 1e-5. */
  readonly delta?: number;
  /** Per-example clipping norm C (default 1). */
  readonly maxGradNorm?: number;
  /** Poisson sampling rate q (default 0.1). */
  readonly sampleRate?: number;
}

/** Where the data comes from: a built-in dataset or a CSV with a target column. */
export type DatasetSource =
  | { readonly builtin: 'german' | 'credit_data' }
  | { readonly file: string; readonly target: string; readonly bad: string; readonly id?: string };

export interface SimulationOptions {
  readonly dataset: DatasetSource;
  readonly numNodes: number;
  readonly rounds: number;
  readonly partition: PartitionSpec;
  readonly strategy: StrategyName;
  /** Strategy options, e.g. { proximalMu: 0.1 } or { beta: 0.2 }. */
  readonly strategyOptions?: Record<string, number>;
  readonly model: ModelSpec;
  readonly train: TrainSettings;
  readonly seed: number;
  /** K-fold cross-validation inside each node (0 or 1: one stratified 80/20 split). */
  readonly cvFolds: number;
  /** Test fraction of the single split when cvFolds ≤ 1. */
  readonly testFraction: number;
  readonly fractionFit: number;
  readonly minNodes?: number;
  readonly timeoutMs: number;
  /** Compute the pooled and local-only baselines (default true). */
  readonly baselines: boolean;
  /** Evaluate federatedly after every round (default true). */
  readonly evaluateEveryRound: boolean;
  /** After training, each node adapts the global model (local head or Ditto); reported per node. */
  readonly personalize?: PersonalizationOptions;
  /** Sum model updates and evaluation histograms (gbdt: every sum) with secure aggregation (SecAgg; `neighbours` k for SecAgg+). */
  readonly secureAggregation?: { readonly neighbours?: number };
  /** Train with record-level DP-SGD at every node (default: no DP). */
  readonly dp?: SimulationDpOptions;
  /** Grow gradient-boosted trees with these settings instead of training `model` (rounds = trees). */
  readonly gbdt?: GbdtParams;
}

/**
 * The DP-SGD settings every simulated node receives (σ calibrated so that rounds × epochs ×
 * round(1/q) steps spend at most the target ε), or undefined without `dp`.
 */
export function simulationPrivacy(options: SimulationOptions): ResolvedPrivacy | undefined {
  if (!options.dp) return undefined;
  const settings: DpSgdSettings = {
    mechanism: 'dpsgd', targetEpsilon: options.dp.epsilon, delta: options.dp.delta ?? 1e-5,
    maxGradNorm: options.dp.maxGradNorm ?? 1, sampleRate: options.dp.sampleRate ?? 0.1, rounds: options.rounds, epochs: options.train.epochs,
  };
  try {
    return resolvePrivacy(settings);
  } catch (err) {
    throw new ConfigError(`dp: ${(err as Error).message.replace(/^settings: /, '')}`);
  }
}

/** Sensible defaults per model: Adam, mini-batches of 32, light L2. */
export function defaultTrainSettings(kind: ModelSpec['kind']): TrainSettings {
  return kind === 'mlp'
    ? { epochs: 1, batchSize: 32, lr: 0.01, optimizer: 'adam', l2: 1e-2, classWeights: 'none' }
    : { epochs: 1, batchSize: 32, lr: 0.01, optimizer: 'adam', l2: 1e-3, classWeights: 'none' };
}

/** Fill in defaults for everything not given. */
export function simulationOptions(partial: Partial<SimulationOptions> & { dataset: DatasetSource }): SimulationOptions {
  const model: ModelSpec = partial.model ?? { kind: 'logreg', config: {} };
  const options: SimulationOptions = {
    numNodes: 5,
    rounds: 30,
    partition: { scheme: 'iid' },
    strategy: 'fedavg',
    seed: 42,
    cvFolds: 0,
    testFraction: 0.2,
    fractionFit: 1,
    timeoutMs: 60_000,
    baselines: true,
    evaluateEveryRound: true,
    ...partial,
    model,
    train: { ...defaultTrainSettings(model.kind), ...partial.train },
    ...(partial.gbdt ? gbdtOptions(partial.gbdt) : {}),
  };
  validate(options);
  return options;
}

/** Flags of the GBDT settings, to name them in errors. */
const GBDT_FLAGS: Record<string, string> = { numTrees: 'trees', maxDepth: 'depth', learningRate: 'learning-rate', l2: 'lambda', minChildWeight: 'min-child-weight', minSplitGain: 'min-split-gain', maxBins: 'max-bins' };

/** Checked GBDT settings; one tree per round. */
function gbdtOptions(partial: Partial<GbdtParams>): { gbdt: GbdtParams; rounds: number } {
  try {
    const gbdt = gbdtParams(partial);
    return { gbdt, rounds: gbdt.numTrees };
  } catch (err) {
    throw new ConfigError((err as Error).message.replace(/^(\w+):/, (_, name: string) => `${GBDT_FLAGS[name] ?? name}:`));
  }
}

function validate(o: SimulationOptions): void {
  const int = (name: string, v: number, min: number, max: number) => {
    if (!Number.isInteger(v) || v < min || v > max) throw new ConfigError(`${name}: expected an integer from ${min} to ${max}, got ${v}`);
  };
  int('nodes', o.numNodes, 1, 1000);
  int('rounds', o.rounds, 1, 10_000);
  int('cv', o.cvFolds, 0, 20);
  int('local-epochs', o.train.epochs, 1, 1000);
  int('batch-size', o.train.batchSize, 1, 100_000);
  if (!(o.train.lr > 0 && o.train.lr <= 10)) throw new ConfigError(`lr: expected a number in (0, 10], got ${o.train.lr}`);
  if (!(o.train.l2 >= 0)) throw new ConfigError(`l2: expected a number ≥ 0, got ${o.train.l2}`);
  if (!(o.testFraction > 0 && o.testFraction < 1)) throw new ConfigError(`test-fraction: expected a number in (0, 1), got ${o.testFraction}`);
  if (!(o.fractionFit > 0 && o.fractionFit <= 1)) throw new ConfigError(`fraction-fit: expected a number in (0, 1], got ${o.fractionFit}`);
  if (!Number.isSafeInteger(o.seed)) throw new ConfigError(`seed: expected an integer, got ${o.seed}`);
  if (o.minNodes !== undefined) int('min-nodes', o.minNodes, 1, o.numNodes);
  if (o.personalize) {
    if (o.personalize.method !== 'finetune' && o.personalize.method !== 'ditto') throw new ConfigError(`personalize: expected finetune or ditto, got ${String(o.personalize.method)}`);
    if (o.gbdt) throw new ConfigError('personalize: not available for gbdt');
    if (o.personalize.lambda !== undefined && !(o.personalize.lambda >= 0 && Number.isFinite(o.personalize.lambda))) throw new ConfigError(`ditto-lambda: expected a number ≥ 0, got ${o.personalize.lambda}`);
  }
  if (o.secureAggregation) {
    if (o.numNodes < 3) throw new ConfigError('secure-aggregation: needs at least 3 nodes (with two, each learns the other\'s update from the sum)');
    if (['trimmed', 'median', 'krum'].includes(o.strategy)) throw new ConfigError(`secure-aggregation: strategy ${o.strategy} needs each node's update, which secure aggregation hides; use fedavg, fedprox, fedadam or fedyogi`);
    const k = o.secureAggregation.neighbours;
    // a SecAgg+ (Harary) graph needs an even degree; nodes − 1 is the complete graph of classic SecAgg
    if (k !== undefined && (!Number.isInteger(k) || k < 2 || k > o.numNodes - 1 || (k < o.numNodes - 1 && k % 2 !== 0))) throw new ConfigError(`secagg-neighbours: expected an even integer from 2 to nodes − 1 (or nodes − 1 itself), got ${k}`);
  }
  if (o.dp && o.gbdt) throw new ConfigError('dp-epsilon: differential privacy is not available for gbdt');
  if (o.dp) {
    if (!(o.dp.epsilon > 0 && o.dp.epsilon <= 1000)) throw new ConfigError(`dp-epsilon: expected a number in (0, 1000], got ${o.dp.epsilon}`);
    if (o.dp.delta !== undefined && !(o.dp.delta > 0 && o.dp.delta <= 0.1)) throw new ConfigError(`dp-delta: expected a number in (0, 0.1], got ${o.dp.delta}`);
    if (o.dp.maxGradNorm !== undefined && !(o.dp.maxGradNorm > 0 && Number.isFinite(o.dp.maxGradNorm))) throw new ConfigError(`dp-max-grad-norm: expected a finite number > 0, got ${o.dp.maxGradNorm}`);
    if (o.dp.sampleRate !== undefined && !(o.dp.sampleRate > 0 && o.dp.sampleRate <= 1)) throw new ConfigError(`dp-sample-rate: expected a number in (0, 1], got ${o.dp.sampleRate}`);
    if (o.strategy === 'fedprox') throw new ConfigError('dp-epsilon: differential privacy does not support the fedprox strategy');
    if (o.train.classWeights === 'balanced') throw new ConfigError('dp-epsilon: differential privacy does not support --class-weights balanced');
    simulationPrivacy(o); // the budget must be reachable
  }
}
