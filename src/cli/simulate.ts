/**
 * `fedcredit simulate`: parse options, run the simulation with a progress bar, print the
 * federated vs pooled vs local-only table, and write the JSON report when asked.
 */
import { writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { withDataOptions } from './dataOptions.js';
import cliProgress from 'cli-progress';
import { ConfigError } from '../errors.js';
import { formatPartitionSpec, parsePartitionSpec, type PartitionSpec } from '../data/partition.js';
import { STRATEGY_NAMES } from '../strategy/index.js';
import type { StrategyName } from '../strategy/strategy.js';
import { simulate, type SimulationProgress } from '../simulation/simulate.js';
import { simulationOptions, type DatasetSource, type SimulationOptions } from '../simulation/options.js';
import type { SimulationReport } from '../simulation/report.js';
import { formatDelta } from '../privacy/ledger.js';
import { formatTable } from './format.js';
import { GBDT_DEFAULTS, type GbdtParams } from '../model/gbdt/params.js';
import { parseHidden, parseIntOption, parseNumberOption } from './parse.js';

interface SimulateFlags {
  dataset?: string; data?: string; target?: string; bad?: string; id?: string;
  nodes: string; rounds: string; partition: string; strategy: string; model: string; hidden?: string; activation?: string;
  localEpochs?: string; lr?: string; batchSize?: string; l2?: string; optimizer?: string; classWeights?: string;
  proximalMu?: string; trimBeta?: string; byzantine?: string; serverLr?: string;
  secureAggregation?: boolean; secaggNeighbours?: string; personalize?: string; dittoLambda?: string;
  seed: string; cv: string; fractionFit: string; json?: string; baselines: boolean; quiet?: boolean;
  dpEpsilon?: string; dpDelta?: string; dpMaxGradNorm?: string; dpSampleRate?: string;
  trees?: string; depth?: string; learningRate?: string; minChildWeight?: string; lambda?: string; maxBins?: string;
}

/** Build the `simulate` command. */
export function simulateCommand(): Command {
  return withDataOptions(new Command('simulate')
    .description('simulate N lenders training one credit-risk model, and compare with pooled and local-only training'))
    .option('--rounds <n>', 'federated rounds', '30')
    .addOption(new Option('--strategy <name>', 'aggregation strategy').choices([...STRATEGY_NAMES]).default('fedavg'))
    .addOption(new Option('--model <kind>', 'model').choices(['logreg', 'mlp', 'gbdt']).default('logreg'))
    .option('--hidden <sizes>', 'MLP hidden layer sizes, e.g. 32 or 32,16 (default 16)')
    .addOption(new Option('--activation <fn>', 'MLP activation').choices(['relu', 'tanh']))
    .option('--trees <n>', 'gbdt: number of trees, one per round (default 200)')
    .option('--depth <n>', 'gbdt: maximum tree depth, 1 to 6 (default 3)')
    .option('--learning-rate <eta>', 'gbdt: shrinkage of every tree (default 0.05)')
    .option('--min-child-weight <h>', 'gbdt: minimum hessian sum in each child of a split (default 1)')
    .option('--lambda <l2>', 'gbdt: L2 penalty on leaf weights (default 1)')
    .option('--max-bins <n>', 'gbdt: histogram bins per numeric column, 2 to 255 (default 32)')
    .option('--local-epochs <n>', 'local epochs per round (default 1)')
    .option('--lr <rate>', 'local learning rate (default 0.01)')
    .option('--batch-size <n>', 'local mini-batch size (default 32)')
    .option('--l2 <lambda>', 'L2 penalty on weights (default 0.001 logreg, 0.01 mlp)')
    .addOption(new Option('--optimizer <name>', 'local optimizer (default adam)').choices(['sgd', 'adam']))
    .addOption(new Option('--class-weights <mode>', 'weight classes (default none)').choices(['none', 'balanced']))
    .option('--proximal-mu <mu>', 'FedProx proximal coefficient (default 0.01)')
    .option('--trim-beta <beta>', 'FedTrimmedAvg fraction trimmed at each end (default 0.2)')
    .option('--byzantine <f>', 'Krum: number of Byzantine nodes tolerated (default 0)')
    .option('--server-lr <rate>', 'FedAdam/FedYogi server learning rate')
    .addOption(new Option('--personalize <method>', 'after training, each node adapts the global model: finetune (local head) or ditto; reported per node').choices(['finetune', 'ditto']))
    .option('--ditto-lambda <λ>', 'Ditto proximal coefficient (default 0.1)')
    .option('--secure-aggregation', 'sum model updates and evaluation histograms (gbdt: sketches, histograms, loss and evaluation sums) with secure aggregation (the coordinator sees only masked vectors)')
    .option('--secagg-neighbours <k>', 'SecAgg+: each node pairs with k neighbours instead of all (default: all)')
    .option('--seed <n>', 'random seed (same seed, same numbers)', '42')
    .option('--cv <k>', 'K-fold cross-validation inside each node (0: one 80/20 split)', '0')
    .option('--fraction-fit <f>', 'fraction of nodes sampled per round', '1')
    .option('--dp-epsilon <e>', 'record-level DP-SGD at every node with this total ε per node (σ calibrated to it)')
    .option('--dp-delta <d>', 'δ of the DP-SGD guarantee (default 1e-5)')
    .option('--dp-max-grad-norm <c>', 'DP-SGD per-example clipping norm (default 1)')
    .option('--dp-sample-rate <q>', 'DP-SGD Poisson sampling rate; an epoch is round(1/q) steps (default 0.1)')
    .option('--json <file>', 'write the full report as JSON')
    .option('--no-baselines', 'skip the pooled and local-only baselines')
    .option('--quiet', 'no progress bar')
    .action(async (flags: SimulateFlags) => {
      const options = toOptions(flags);
      const report = await runWithProgress(options, !flags.quiet);
      process.stdout.write(`${formatReport(report)}\n`);
      if (flags.json) {
        writeFileSync(flags.json, `${JSON.stringify(report, null, 2)}\n`);
        process.stdout.write(`report written to ${flags.json}\n`);
      }
    });
}

/** Turn parsed flags into validated simulation options. */
export function toOptions(flags: SimulateFlags): SimulationOptions {
  let dataset: DatasetSource;
  if (flags.data) {
    if (flags.dataset) throw new ConfigError('give either --dataset or --data, not both');
    if (!flags.target || flags.bad === undefined) throw new ConfigError('--data needs --target COLUMN and --bad VALUE');
    dataset = { file: flags.data, target: flags.target, bad: flags.bad, id: flags.id };
  } else {
    dataset = { builtin: (flags.dataset ?? 'german') as 'german' | 'credit_data' };
  }
  const kind = flags.model === 'gbdt' ? 'logreg' : (flags.model as 'logreg' | 'mlp'); // gbdt: `model` is unused
  const train: Record<string, unknown> = {};
  if (flags.localEpochs) train.epochs = parseIntOption('--local-epochs', flags.localEpochs);
  if (flags.lr) train.lr = parseNumberOption('--lr', flags.lr);
  if (flags.batchSize) train.batchSize = parseIntOption('--batch-size', flags.batchSize);
  if (flags.l2) train.l2 = parseNumberOption('--l2', flags.l2);
  if (flags.optimizer) train.optimizer = flags.optimizer;
  if (flags.classWeights) train.classWeights = flags.classWeights;
  const strategyOptions: Record<string, number> = {};
  if (flags.proximalMu) strategyOptions.proximalMu = parseNumberOption('--proximal-mu', flags.proximalMu);
  if (flags.trimBeta) strategyOptions.beta = parseNumberOption('--trim-beta', flags.trimBeta);
  if (flags.byzantine) strategyOptions.numByzantine = parseIntOption('--byzantine', flags.byzantine);
  if (flags.serverLr) strategyOptions.serverLr = parseNumberOption('--server-lr', flags.serverLr);
  return simulationOptions({
    dataset,
    numNodes: parseIntOption('--nodes', flags.nodes),
    rounds: parseIntOption('--rounds', flags.rounds),
    partition: parsePartitionSpec(flags.partition),
    strategy: flags.strategy as StrategyName,
    strategyOptions,
    model: { kind, config: kind === 'mlp' ? { hidden: parseHidden(flags.hidden ?? '16'), activation: (flags.activation as 'relu' | 'tanh' | undefined) ?? 'relu' } : {} },
    train: train as Partial<SimulationOptions['train']> as SimulationOptions['train'],
    seed: parseIntOption('--seed', flags.seed),
    cvFolds: parseIntOption('--cv', flags.cv),
    fractionFit: parseNumberOption('--fraction-fit', flags.fractionFit),
    baselines: flags.baselines,
    ...(flags.personalize ? { personalize: { method: flags.personalize as 'finetune' | 'ditto', ...(flags.dittoLambda ? { lambda: parseNumberOption('--ditto-lambda', flags.dittoLambda) } : {}) } } : {}),
    ...(flags.secureAggregation || flags.secaggNeighbours ? { secureAggregation: { neighbours: flags.secaggNeighbours ? parseIntOption('--secagg-neighbours', flags.secaggNeighbours) : undefined } } : {}),
    ...dpOptions(flags),
    ...gbdtOptions(flags),
  });
}

/** `--model gbdt` and its flags as GBDT settings (the flags need --model gbdt). */
function gbdtOptions(flags: SimulateFlags): Pick<SimulationOptions, 'gbdt'> {
  const given = ([['--trees', flags.trees], ['--depth', flags.depth], ['--learning-rate', flags.learningRate], ['--min-child-weight', flags.minChildWeight], ['--lambda', flags.lambda], ['--max-bins', flags.maxBins]] as const);
  if (flags.model !== 'gbdt') {
    const stray = given.find(([, v]) => v !== undefined);
    if (stray) throw new ConfigError(`${stray[0]}: only with --model gbdt`);
    return {};
  }
  const gbdt: Partial<GbdtParams> = {
    ...(flags.trees !== undefined ? { numTrees: parseIntOption('--trees', flags.trees) } : {}),
    ...(flags.depth !== undefined ? { maxDepth: parseIntOption('--depth', flags.depth) } : {}),
    ...(flags.learningRate !== undefined ? { learningRate: parseNumberOption('--learning-rate', flags.learningRate) } : {}),
    ...(flags.minChildWeight !== undefined ? { minChildWeight: parseNumberOption('--min-child-weight', flags.minChildWeight) } : {}),
    ...(flags.lambda !== undefined ? { l2: parseNumberOption('--lambda', flags.lambda) } : {}),
    ...(flags.maxBins !== undefined ? { maxBins: parseIntOption('--max-bins', flags.maxBins) } : {}),
  };
  return { gbdt: { ...GBDT_DEFAULTS, ...gbdt } };
}

/** `--dp-*` flags as simulation DP options (the other flags need --dp-epsilon). */
function dpOptions(flags: SimulateFlags): Pick<SimulationOptions, 'dp'> {
  if (flags.dpEpsilon === undefined) {
    const stray = ([['--dp-delta', flags.dpDelta], ['--dp-max-grad-norm', flags.dpMaxGradNorm], ['--dp-sample-rate', flags.dpSampleRate]] as const).find(([, v]) => v !== undefined);
    if (stray) throw new ConfigError(`${stray[0]}: needs --dp-epsilon (the privacy budget that turns DP-SGD on)`);
    return {};
  }
  return {
    dp: {
      epsilon: parseNumberOption('--dp-epsilon', flags.dpEpsilon),
      ...(flags.dpDelta !== undefined ? { delta: parseNumberOption('--dp-delta', flags.dpDelta) } : {}),
      ...(flags.dpMaxGradNorm !== undefined ? { maxGradNorm: parseNumberOption('--dp-max-grad-norm', flags.dpMaxGradNorm) } : {}),
      ...(flags.dpSampleRate !== undefined ? { sampleRate: parseNumberOption('--dp-sample-rate', flags.dpSampleRate) } : {}),
    },
  };
}

async function runWithProgress(options: SimulationOptions, showProgress: boolean): Promise<SimulationReport> {
  const bar = showProgress && process.stderr.isTTY
    ? new cliProgress.SingleBar({ format: 'fold {fold} |{bar}| round {value}/{total}  AUC {auc}  loss {loss}', stream: process.stderr, hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic)
    : undefined;
  const onProgress = (e: SimulationProgress) => {
    if (e.phase === 'load' && e.inferredSummary) process.stderr.write(`Inferred schema:\n${e.inferredSummary}\n\n`);
    if (e.phase !== 'round' || !bar) return;
    const payload = { fold: `${e.fold + 1}/${e.folds}`, auc: e.report.metrics ? e.report.metrics.auc.toFixed(3) : '—', loss: e.report.trainLoss.toFixed(4) };
    if (e.round === 1) bar.start(e.rounds, 0, payload);
    bar.update(e.round, payload);
    if (e.round === e.rounds) bar.stop();
  };
  try {
    return await simulate(options, onProgress);
  } finally {
    bar?.stop();
  }
}

/** The comparison table printed at the end of a simulation. */
export function formatReport(report: SimulationReport): string {
  const cfg = report.config as { nodes: number; rounds: number; strategy: string; model: { kind: string }; partition: PartitionSpec };
  const rows: (string | number | undefined)[][] = [
    ['federated', report.federated.auc, report.federated.ks, report.federated.brier, report.federated.expectedCost],
  ];
  if (report.pooled) rows.push(['pooled (reference)', report.pooled.auc, report.pooled.ks, report.pooled.brier, report.pooled.expectedCost]);
  if (report.localOnly) rows.push(['local-only (mean)', report.localOnly.meanAuc, report.localOnly.meanKs, report.localOnly.meanBrier, report.localOnly.meanExpectedCost]);
  const gbdt = cfg.model.kind === 'gbdt' ? (cfg.model as unknown as { config: GbdtParams }).config : undefined;
  const what = gbdt ? `${gbdt.numTrees} trees of depth ${gbdt.maxDepth} (learning rate ${gbdt.learningRate}, λ ${gbdt.l2}), gbdt` : `${cfg.rounds} rounds, ${cfg.strategy}, ${cfg.model.kind}`;
  const title = `${cfg.nodes} nodes × ${what}, partition ${formatPartitionSpec(cfg.partition)}, ${report.folds > 1 ? `${report.folds}-fold CV` : 'one 80/20 split'} — metrics on the union of the nodes' test rows`;
  const lines = [title, '', formatTable(['model', 'AUC', 'KS', 'Brier', 'cost/applicant'], rows)];
  const dp = report.config.privacy as { targetEpsilon: number; delta: number; noiseMultiplier: number; maxGradNorm: number; sampleRate: number } | undefined;
  if (dp) lines.splice(1, 0, `federated model trained with record-level DP-SGD at every node: ε = ${dp.targetEpsilon}, δ = ${formatDelta(dp.delta)}, σ = ${dp.noiseMultiplier.toFixed(3)}, clip ${dp.maxGradNorm}, q = ${dp.sampleRate} (pooled and local-only references are not private)`);
  if (report.localOnly) {
    lines.push('', formatTable(['node alone', 'train rows', 'bad rate', 'AUC own test', 'AUC union'],
      report.localOnly.perNode.map((n) => [n.nodeId, String(n.numTrain), n.badRate, n.own.auc, n.union.auc])));
  }
  if (report.personalization) {
    const p = report.personalization;
    lines.push('', formatTable(['node (own test split)', 'global', 'personalized', 'local-only'],
      p.perNode.map((n) => [n.nodeId, n.global.auc, n.personalized.auc, n.localOnly?.auc])));
    lines.push(`mean AUC over nodes${report.folds > 1 ? ' and folds' : ''}: global ${p.meanGlobalAuc.toFixed(3)}, personalized ${p.meanPersonalizedAuc.toFixed(3)}${p.meanLocalOnlyAuc !== undefined ? `, local-only ${p.meanLocalOnlyAuc.toFixed(3)}` : ''}`);
  }
  lines.push('', `federated part ${report.federatedMs.toFixed(0)} ms per fold; total ${report.wallMs.toFixed(0)} ms`);
  return lines.join('\n');
}
