/**
 * `fedcredit fairness`: train the federated model in simulation and print its fairness report
 * — disparate-impact ratio, equal-opportunity difference and calibration per group of every
 * protected attribute, computed from counts summed over the lenders, and whether the features
 * still carry the attributes the model was not given (proxies).
 */
import { writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { withDataOptions } from './dataOptions.js';
import { ConfigError } from '../errors.js';
import { PROXY_AUC_THRESHOLD } from '../fairness/proxy.js';
import { EQUAL_OPPORTUNITY_TOLERANCE, FOUR_FIFTHS } from '../fairness/metrics.js';
import { simulateFairness, type FairnessSimulationReport } from '../fairness/simulate.js';
import { formatTable } from './format.js';
import { parseIntOption, parseNumberOption } from './parse.js';
import { toOptions } from './simulate.js';

interface FairnessFlags {
  dataset?: string; data?: string; target?: string; bad?: string; id?: string;
  nodes: string; rounds: string; partition: string; seed: string; model: string; hidden?: string;
  threshold?: string; split: string; proxy: boolean; proxyRounds: string; json?: string;
}

/** Build the `fairness` command. */
export function fairnessCommand(): Command {
  return withDataOptions(new Command('fairness')
    .description('train the federated model and report disparate impact, equal opportunity, calibration by group and remaining proxies'), { dataHelp: 'your own CSV file (with --target and --bad; protected columns are inferred as none)' })
    .option('--rounds <n>', 'federated rounds', '30')
    .addOption(new Option('--model <kind>', 'model').choices(['logreg', 'mlp']).default('logreg'))
    .option('--hidden <sizes>', 'MLP hidden layer sizes, e.g. 32 or 32,16 (default 16)')
    .option('--seed <n>', 'random seed (same seed, same numbers)', '42')
    .option('--threshold <p>', 'approve when P(default) is below this (default 1/6, the German cost-optimal cut-off)')
    .addOption(new Option('--split <split>', 'rows to report on').choices(['test', 'train']).default('test'))
    .option('--no-proxy', 'skip the proxy check')
    .option('--proxy-rounds <n>', 'federated rounds of each proxy regression', '30')
    .option('--json <file>', 'write the report as JSON')
    .action(async (flags: FairnessFlags) => {
      const { dataset, data, target, bad, id, nodes, rounds, partition, seed, model, hidden } = flags;
      const simulation = toOptions({ dataset, data, target, bad, id, nodes, rounds, partition, seed, model, hidden, strategy: 'fedavg', cv: '0', fractionFit: '1', baselines: false });
      const threshold = flags.threshold === undefined ? undefined : parseNumberOption('--threshold', flags.threshold);
      if (threshold !== undefined && !(threshold > 0 && threshold <= 1)) throw new ConfigError(`--threshold: expected a probability in (0, 1], got "${flags.threshold}"`);
      const proxyRounds = parseIntOption('--proxy-rounds', flags.proxyRounds);
      if (proxyRounds < 1 || proxyRounds > 10_000) throw new ConfigError(`--proxy-rounds: expected an integer from 1 to 10000, got "${flags.proxyRounds}"`);
      let report: FairnessSimulationReport;
      try {
        report = await simulateFairness({ simulation, threshold, split: flags.split as 'test' | 'train', proxy: flags.proxy, proxyRounds });
      } catch (err) {
        // The one input problem found inside: a dataset without protected attributes.
        if (err instanceof RangeError && err.message.startsWith('attributes:')) throw new ConfigError(err.message);
        throw err;
      }
      process.stdout.write(`${formatFairnessReport(report)}\n`);
      if (flags.json) {
        writeFileSync(flags.json, `${JSON.stringify(report, (_, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`);
        process.stdout.write(`report written to ${flags.json}\n`);
      }
    });
}

const yesNo = (flag: boolean) => (flag ? 'FLAGGED' : 'ok');

/** The text `fedcredit fairness` prints. */
export function formatFairnessReport(report: FairnessSimulationReport): string {
  const f = report.fairness;
  const lines = [
    `Fairness of the federated ${report.model.kind} (AUC ${report.model.auc.toFixed(3)}) on the ${f.split} rows of ${f.participants.length} lenders (${f.numApplicants} applicants); approve when P(default) < ${f.threshold.toFixed(3)}`,
    `Flags: disparate impact < ${FOUR_FIFTHS} (four-fifths rule), |equal-opportunity difference| > ${EQUAL_OPPORTUNITY_TOLERANCE}; proxies remain when the features predict a group with AUC > ${PROXY_AUC_THRESHOLD}.`,
  ];
  for (const a of f.attributes) {
    const proxy = !a.excludedFromFeatures
      ? 'a model feature itself (not excluded)'
      : a.proxy
        ? `excluded from features; proxies ${a.proxiesRemain ? 'REMAIN' : 'do not remain'} (best AUC ${Number.isNaN(a.proxy.maxAuc) ? '—' : a.proxy.maxAuc.toFixed(3)}: ${a.proxy.groups.map((g) => `${g.group} ${Number.isNaN(g.auc) ? '—' : g.auc.toFixed(3)}`).join(', ')})`
        : 'excluded from features; proxy check skipped';
    lines.push('', `${a.attribute} (column ${a.column}) — ${proxy}`);
    lines.push(formatTable(
      ['group', 'applicants', 'approval', 'DI ratio', 'TPR good', 'EO diff', 'obs. default', 'pred. default', 'ECE'],
      a.groups.map((g) => [`${g.group}${g.group === a.referenceGroup ? ' (ref)' : ''}`, String(g.numApplicants), g.approvalRate, g.disparateImpact, g.truePositiveRate, g.equalOpportunityDifference, g.observedDefaultRate, g.meanPredictedDefault, g.calibrationError])
        .map((row) => row.map((c) => (typeof c === 'number' && Number.isNaN(c) ? undefined : c))),
    ));
    lines.push(`disparate impact ${a.minDisparateImpact.toFixed(3)}: ${yesNo(a.disparateImpactFlag)}; equal opportunity ${a.maxAbsEqualOpportunityDifference.toFixed(3)}: ${yesNo(a.equalOpportunityFlag)}`);
  }
  return lines.join('\n');
}
