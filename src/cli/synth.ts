/**
 * `fedcredit synth`: a lender makes synthetic rows of one class (bad loans, to oversample them)
 * from its own data, at its own node, with the CTGAN-style GAN or SMOTE-NC, and optionally
 * evaluates them (fidelity, utility, privacy) on a held-out part of the same data.
 *
 * Nothing here talks to a coordinator. Synthetic rows are derived from real customers and stay
 * in this process unless the owner writes them out with `--out FILE`; `--json` writes only the
 * summary numbers.
 */
import { writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import cliProgress from 'cli-progress';
import { ConfigError } from '../errors.js';
import { builtinDataPath, getBuiltinSchema, type BuiltinName } from '../data/builtin/index.js';
import { loadCsv } from '../data/csv.js';
import { inferSchema } from '../data/infer.js';
import { selectRows, type Table } from '../data/schema.js';
import { stratifiedSplit } from '../data/split.js';
import { formatSchemaSummary } from '../data/summary.js';
import { deriveRandom } from '../math/random.js';
import { CtganSynthesizer, type CtganProgress } from '../synth/ctgan.js';
import { tableToCsv } from '../synth/csv.js';
import { evaluateSynthetic, type SyntheticEvaluation } from '../synth/evaluate.js';
import { SmoteNc } from '../synth/smotenc.js';
import type { SynthMethod, Synthesizer } from '../synth/synthesizer.js';
import { formatTable } from './format.js';
import { parseIntOption } from './parse.js';

/** Validated options of {@link runSynth}. */
export interface SynthRunOptions {
  readonly source: { readonly builtin: BuiltinName } | { readonly file: string; readonly target: string; readonly bad: string; readonly id?: string };
  readonly method: SynthMethod;
  /** Synthetic rows to make; default: as many as the class has in the fitted rows. */
  readonly numRows?: number;
  readonly label: 0 | 1;
  readonly seed: number;
  readonly epochs?: number;
  readonly batchSize?: number;
  readonly k?: number;
  readonly out?: string;
  readonly evaluate: boolean;
  readonly onEpoch?: (progress: CtganProgress) => void;
  readonly onInferred?: (summary: string) => void;
}

/** What a run did: counts and timings, and the evaluation when asked. Never the rows. */
export interface SynthReport {
  readonly method: SynthMethod;
  readonly class: 'bad' | 'good';
  readonly fittedRows: number;
  readonly syntheticRows: number;
  /** Wall time of fitting and sampling, ms. */
  readonly synthMs: number;
  readonly out?: string;
  readonly evaluation?: SyntheticEvaluation;
}

interface SynthFlags {
  dataset?: string; data?: string; target?: string; bad?: string; id?: string;
  method: string; rows?: string; class: string; out?: string; seed: string; epochs?: string; batchSize?: string; k?: string;
  evaluate?: boolean; json?: string; quiet?: boolean;
}

/** Build the `synth` command. */
export function synthCommand(): Command {
  return new Command('synth')
    .description('make synthetic rows of one class from your own data (GAN or SMOTE-NC); rows stay local unless you --out them')
    .addOption(new Option('--dataset <name>', 'built-in dataset').choices(['german', 'credit_data']))
    .option('--data <file>', 'your own CSV file (with --target and --bad)')
    .option('--target <column>', 'target column of --data')
    .option('--bad <value>', 'target value that means bad / default')
    .option('--id <column>', 'id column of --data (not copied into synthetic rows)')
    .addOption(new Option('--method <name>', 'synthesizer').choices(['gan', 'smotenc']).default('gan'))
    .option('--rows <n>', 'synthetic rows to make (default: as many as the class has)')
    .addOption(new Option('--class <label>', 'class of the synthetic rows').choices(['bad', 'good']).default('bad'))
    .option('--out <file>', 'export the synthetic rows as CSV (the only way they leave this process)')
    .option('--seed <n>', 'random seed (same seed, same rows)', '42')
    .option('--epochs <n>', 'GAN training epochs (default 60)')
    .option('--batch-size <n>', 'GAN rows per training step, a multiple of 10 (default 500, as CTGAN)')
    .option('--k <n>', 'SMOTE-NC neighbours (default 5)')
    .option('--evaluate', 'hold out 20 % of the rows and report fidelity, utility and privacy')
    .option('--json <file>', 'write the summary and evaluation (no rows) as JSON')
    .option('--quiet', 'no progress bar')
    .action((flags: SynthFlags) => {
      const bar = !flags.quiet && process.stderr.isTTY && flags.method === 'gan'
        ? new cliProgress.SingleBar({ format: 'GAN |{bar}| epoch {value}/{total}  loss G {lossG}  D {lossD}', stream: process.stderr, hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic)
        : undefined;
      const options: SynthRunOptions = {
        ...toRunOptions(flags),
        onInferred: (summary) => process.stderr.write(`Inferred schema:\n${summary}\n\n`),
        onEpoch: bar && ((p) => {
          const payload = { lossG: p.generatorLoss.toFixed(3), lossD: p.discriminatorLoss.toFixed(3) };
          if (p.epoch === 1) bar.start(p.epochs, 0, payload);
          bar.update(p.epoch, payload);
        }),
      };
      let report: SynthReport;
      try {
        report = runSynth(options);
      } finally {
        bar?.stop();
      }
      process.stdout.write(`${formatSynthReport(report)}\n`);
      if (flags.json) {
        writeFileSync(flags.json, `${JSON.stringify(report, null, 2)}\n`);
        process.stdout.write(`report written to ${flags.json}\n`);
      }
    });
}

/** Turn parsed flags into validated options. */
export function toRunOptions(flags: SynthFlags): SynthRunOptions {
  let source: SynthRunOptions['source'];
  if (flags.data) {
    if (flags.dataset) throw new ConfigError('give either --dataset or --data, not both');
    if (!flags.target || flags.bad === undefined) throw new ConfigError('--data needs --target COLUMN and --bad VALUE');
    source = { file: flags.data, target: flags.target, bad: flags.bad, id: flags.id };
  } else if (flags.dataset) source = { builtin: flags.dataset as BuiltinName };
  else throw new ConfigError('give --dataset NAME or --data FILE');
  const positive = (name: string, value: string | undefined, max: number) => {
    if (value === undefined) return undefined;
    const n = parseIntOption(name, value);
    if (n < 1 || n > max) throw new ConfigError(`${name}: expected an integer from 1 to ${max}, got ${n}`);
    return n;
  };
  if ((flags.epochs || flags.batchSize) && flags.method !== 'gan') throw new ConfigError('--epochs and --batch-size apply to --method gan only');
  const batchSize = positive('--batch-size', flags.batchSize, 100_000);
  if (batchSize !== undefined && batchSize % 10 !== 0) throw new ConfigError(`--batch-size: expected a multiple of 10 (the critic scores packs of 10 rows), got ${batchSize}`);
  if (flags.k && flags.method !== 'smotenc') throw new ConfigError('--k applies to --method smotenc only');
  return {
    source,
    method: flags.method as SynthMethod,
    numRows: positive('--rows', flags.rows, 10_000_000),
    label: flags.class === 'good' ? 0 : 1,
    seed: parseIntOption('--seed', flags.seed),
    epochs: positive('--epochs', flags.epochs, 100_000),
    batchSize,
    k: positive('--k', flags.k, 100),
    out: flags.out,
    evaluate: flags.evaluate === true,
  };
}

/** Load, fit, sample, export if asked, evaluate if asked. */
export function runSynth(options: SynthRunOptions): SynthReport {
  const table = load(options);
  let fitRows = table;
  let test: Table | undefined;
  if (options.evaluate) {
    const split = stratifiedSplit(table.label, 0.2, deriveRandom(options.seed, 'synth', 'split'));
    fitRows = selectRows(table, split.train);
    test = selectRows(table, split.test);
  }
  const started = performance.now();
  const synthesizer: Synthesizer = options.method === 'gan'
    ? CtganSynthesizer.fit(fitRows, { seed: options.seed, epochs: options.epochs, batchSize: options.batchSize, onEpoch: options.onEpoch })
    : SmoteNc.fit(fitRows, { k: options.k });
  const classCount = fitRows.label.reduce((s, y) => s + (y === options.label ? 1 : 0), 0);
  const numRows = options.numRows ?? classCount;
  const rows = synthesizer.sample(numRows, options.label, deriveRandom(options.seed, 'synth', 'sample'));
  // Fit and sample together: SMOTE-NC does its neighbour search on first sampling.
  const synthMs = performance.now() - started;
  if (options.out) writeFileSync(options.out, tableToCsv(rows));
  const evaluation = test && evaluateSynthetic({ train: fitRows, test, synthesizer, synthetic: rows, classifier: { seed: options.seed } });
  return {
    method: options.method,
    class: options.label === 1 ? 'bad' : 'good',
    fittedRows: fitRows.numRows,
    syntheticRows: numRows,
    synthMs: Math.round(synthMs),
    ...(options.out ? { out: options.out } : {}),
    ...(evaluation ? { evaluation } : {}),
  };
}

function load(options: SynthRunOptions): Table {
  const { source } = options;
  if ('builtin' in source) return loadCsv(builtinDataPath(source.builtin), getBuiltinSchema(source.builtin));
  const { schema, summary } = inferSchema(source.file, { target: source.target, bad: source.bad, id: source.id });
  options.onInferred?.(formatSchemaSummary(schema, summary));
  return loadCsv(source.file, schema);
}

/** The text printed at the end of a run. */
export function formatSynthReport(report: SynthReport): string {
  const lines = [
    `${report.method === 'gan' ? 'GAN' : 'SMOTE-NC'}: fitted on ${report.fittedRows} rows, made ${report.syntheticRows} synthetic ${report.class} rows in ${(report.synthMs / 1000).toFixed(1)} s`,
    report.out ? `synthetic rows written to ${report.out}` : 'synthetic rows kept in memory only (not written anywhere); pass --out FILE to export them',
  ];
  const e = report.evaluation;
  if (e) {
    lines.push('', `fidelity vs real ${report.class} rows: mean KS ${e.fidelity.meanKs.toFixed(3)}, mean TVD ${e.fidelity.meanTvd.toFixed(3)}, correlation difference ${e.fidelity.correlationDifference.toFixed(3)}`);
    lines.push(`privacy: DCR median ${e.privacy.dcrMedian.toFixed(3)} (holdout ${e.privacy.holdoutDcrMedian.toFixed(3)}), 5th percentile ${e.privacy.dcr5th.toFixed(3)} (holdout ${e.privacy.holdoutDcr5th.toFixed(3)}), exact copies ${(100 * e.privacy.exactCopyRate).toFixed(1)} % (holdout ${(100 * e.privacy.holdoutExactCopyRate).toFixed(1)} %)`);
    const u = e.utility;
    lines.push('', formatTable(['logistic regression trained on', 'AUC', 'recall @10 %'], [
      ['real rows', u.real.auc, u.real.recallAtFlagRate],
      ['synthetic rows only (TSTR)', u.tstr.auc, u.tstr.recallAtFlagRate],
      [`real + ${u.numAugmentedRows} synthetic bads (30 %)`, u.augmented.auc, u.augmented.recallAtFlagRate],
    ]));
  }
  return lines.join('\n');
}
