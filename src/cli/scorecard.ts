/**
 * `fedcredit scorecard`: build a federated points scorecard in simulation (WOE binning from
 * summed counts, WOE logistic regression by FedAvg, points on the chosen scale), write it as
 * CSV, JSON and PMML, and print the information-value table, the AUC next to a plain federated
 * logistic regression on the same rows, example reason codes and the population stability of
 * every node's test rows.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { withDataOptions } from './dataOptions.js';
import { ConfigError } from '../errors.js';
import { resolveBinningOptions } from '../scorecard/binning.js';
import { checkGridCoarsening } from '../scorecard/fineCounts.js';
import { scorecardPmml } from '../scorecard/pmml.js';
import { simulateScorecard, type ScorecardSimulationReport } from '../scorecard/simulate.js';
import { scorecardCsv, scorecardJson } from '../scorecard/tables.js';
import { formatTable } from './format.js';
import { parseIntOption, parseNumberOption } from './parse.js';
import { toOptions } from './simulate.js';

interface ScorecardFlags {
  dataset?: string; data?: string; target?: string; bad?: string; id?: string;
  nodes: string; rounds: string; partition: string; seed: string; cv: string;
  localEpochs?: string; lr?: string; batchSize?: string; l2?: string;
  pdo: string; baseScore: string; baseOdds: string;
  maxBins: string; minBinShare: string; minIv: string; gridCoarsening: string;
  out?: string; json?: string; compare: boolean;
}

/** Build the `scorecard` command. */
export function scorecardCommand(): Command {
  return withDataOptions(new Command('scorecard')
    .description('build a federated points scorecard (WOE binning, logistic regression, points, reason codes) and export it as CSV, JSON and PMML'))
    .option('--rounds <n>', 'federated rounds for the WOE logistic regression', '30')
    .option('--seed <n>', 'random seed (same seed, same numbers)', '42')
    .option('--cv <k>', 'K-fold cross-validation inside each node (0: one 80/20 split)', '0')
    .option('--local-epochs <n>', 'local epochs per round (default 1)')
    .option('--lr <rate>', 'local learning rate (default 0.01)')
    .option('--batch-size <n>', 'local mini-batch size (default 32)')
    .option('--l2 <lambda>', 'L2 penalty on weights (default 0.001)')
    .option('--pdo <points>', 'points to double the odds', '20')
    .option('--base-score <points>', 'score at the base odds', '600')
    .option('--base-odds <odds>', 'good:bad odds at the base score (50 means 50:1)', '50')
    .option('--max-bins <k>', 'most coarse bins per variable (missing bin not counted)', '6')
    .option('--min-bin-share <share>', 'fewest applicants per coarse bin, as a share of all', '0.05')
    .option('--min-iv <iv>', 'information value a variable needs to enter the scorecard', '0.02')
    .option('--grid-coarsening <f>', 'merge f fine grid bins of numeric columns (1, 2, 4, …)', '1')
    .option('--out <dir>', 'write scorecard.csv, scorecard.json and scorecard.pmml here')
    .option('--json <file>', 'write the full report as JSON')
    .option('--no-compare', 'skip the plain logistic regression used for comparison')
    .action(async (flags: ScorecardFlags) => {
      const { dataset, data, target, bad, id, nodes, rounds, partition, seed, cv, localEpochs, lr, batchSize, l2 } = flags;
      // Only the shared simulation fields: `simulate`'s own flags (e.g. its --max-bins) must not leak in.
      const simulation = toOptions({ dataset, data, target, bad, id, nodes, rounds, partition, seed, cv, localEpochs, lr, batchSize, l2, strategy: 'fedavg', model: 'logreg', fractionFit: '1', baselines: true });
      const scale = { pointsToDouble: positive('--pdo', flags.pdo), basePoints: parseNumberOption('--base-score', flags.baseScore), baseOdds: positive('--base-odds', flags.baseOdds) };
      const binning = {
        maxBins: parseIntOption('--max-bins', flags.maxBins),
        minBinShare: parseNumberOption('--min-bin-share', flags.minBinShare),
        minIv: parseNumberOption('--min-iv', flags.minIv),
      };
      const gridCoarsening = parseIntOption('--grid-coarsening', flags.gridCoarsening);
      usage(() => {
        resolveBinningOptions(binning);
        checkGridCoarsening(gridCoarsening, '--grid-coarsening');
      });
      const report = await simulateScorecard({ simulation, scale, binning, gridCoarsening, comparePlain: flags.compare });
      process.stdout.write(`${formatScorecardReport(report)}\n`);
      if (flags.out) {
        mkdirSync(flags.out, { recursive: true });
        writeFileSync(join(flags.out, 'scorecard.csv'), scorecardCsv(report.card));
        writeFileSync(join(flags.out, 'scorecard.json'), scorecardJson(report.card));
        writeFileSync(join(flags.out, 'scorecard.pmml'), scorecardPmml(report.card, { modelName: `fedcredit-${flags.dataset ?? 'scorecard'}` }));
        process.stdout.write(`scorecard written to ${join(flags.out, 'scorecard.{csv,json,pmml}')}\n`);
      }
      if (flags.json) {
        writeFileSync(flags.json, `${JSON.stringify(report, null, 2)}\n`);
        process.stdout.write(`report written to ${flags.json}\n`);
      }
    });
}

/** Run option checks of the library, reporting their errors as usage errors (exit code 2). */
function usage(check: () => void): void {
  try {
    check();
  } catch (err) {
    if (err instanceof RangeError || err instanceof TypeError) throw new ConfigError(err.message.replace(/^options\.(\w+)/, (_, name: string) => `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`));
    throw err;
  }
}

function positive(name: string, value: string): number {
  const n = parseNumberOption(name, value);
  if (!(n > 0)) throw new ConfigError(`${name}: expected a number > 0, got "${value}"`);
  return n;
}

/** The text `fedcredit scorecard` prints. */
export function formatScorecardReport(report: ScorecardSimulationReport): string {
  const card = report.card;
  const lines = [
    `Federated scorecard: ${card.scale.basePoints} points at ${card.scale.baseOdds}:1, ${card.scale.pointsToDouble} points to double the odds (factor ${card.factor.toFixed(4)}, offset ${card.offset.toFixed(3)}); ${report.folds > 1 ? `${report.folds}-fold CV` : 'one 80/20 split'}`,
    '',
    'Information value (variable selection, last fold):',
    formatTable(['variable', 'IV', 'strength', 'bins', 'trend', 'selected'], report.ivTable.map((r) => [r.column, r.iv, r.strength, String(r.numBins), r.trend, r.selected ? 'yes' : 'no']), 4),
    '',
  ];
  const unexpected = card.characteristics.filter((c) => c.coefficient > 0).map((c) => c.column);
  if (unexpected.length) lines.push(`note: positive coefficient (points fall as the WOE rises) for ${unexpected.join(', ')}: collinear with other characteristics`, '');
  const rows: (string | number | undefined)[][] = [['federated scorecard', report.scorecard.auc, report.scorecard.ks], ['pooled scorecard (reference)', report.pooledScorecard.auc, report.pooledScorecard.ks]];
  if (report.plainLogistic) {
    rows.push(['plain federated logistic regression', report.plainLogistic.federatedAuc, undefined]);
    if (report.plainLogistic.pooledAuc !== undefined) rows.push(['plain pooled logistic regression', report.plainLogistic.pooledAuc, undefined]);
  }
  lines.push(formatTable(['model (union of test rows)', 'AUC', 'KS'], rows));
  if (report.aucGap !== undefined) lines.push(`scorecard − plain LR AUC: ${report.aucGap >= 0 ? '+' : ''}${report.aucGap.toFixed(4)} (target ≥ −0.01: ${report.aucGap >= -0.01 ? 'met' : 'not met'})`);
  const last = report.perFold[report.perFold.length - 1];
  lines.push('', 'Lowest-scoring test applicants and their reasons:');
  for (const e of last.examples) {
    lines.push(`  score ${e.score.toFixed(0)} (P(default) ${e.probabilityOfDefault.toFixed(3)})`);
    for (const r of e.reasons) lines.push(`    ${r.rank}. ${r.words} (−${r.pointsBelowMax.toFixed(1)} points)`);
  }
  const psi = last.psi;
  const psiRows = [['federation', psi.federated] as const, ...psi.perNode.map((n) => [n.nodeId, n] as const)].map(([who, p]) => {
    const worst = [...p.features].sort((a, b) => b.psi - a.psi)[0];
    return [who, String(p.numRows), p.score?.psi, p.score?.status ?? '—', p.score?.noise95, worst ? `${worst.name} ${worst.psi.toFixed(3)} (${worst.status})` : '—'];
  });
  lines.push('', `Population stability of the test rows against the federated training rows (${psi.reference.numRows}):`,
    formatTable(['population', 'rows', 'score PSI', 'status', 'noise 95%', 'least stable feature'], psiRows));
  return lines.join('\n');
}
