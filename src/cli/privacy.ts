/**
 * `fedcredit privacy`: the privacy arithmetic and the node's ledger from the command line.
 *
 *   fedcredit privacy epsilon --noise-multiplier S --sample-rate Q --steps T --delta D [--json]
 *   fedcredit privacy sigma --epsilon E --sample-rate Q --steps T --delta D [--json]
 *   fedcredit privacy ledger --config node.yaml [--json]
 *
 * `epsilon` and `sigma` use the RDP accountant and calibration that nodes use, so the numbers
 * printed here are the numbers a node admits a job with (and Opacus' numbers).
 */
import { Command } from 'commander';
import { ConfigError } from '../errors.js';
import { loadNodeConfig, privacyBudgetsOf, privacyLedgerFile } from '../node/config.js';
import { PrivacyLedger, formatDelta, formatEpsilon } from '../privacy/ledger.js';
import { calibrateForBudget } from '../privacy/plan.js';
import { epsilonFor } from '../privacy/rdp.js';
import { formatTable } from './format.js';
import { parseIntOption, parseNumberOption } from './parse.js';

type Write = (text: string) => void;

function probability(name: string, value: string, o: { allowOne: boolean }): number {
  const x = parseNumberOption(name, value);
  if (!(x > 0 && (o.allowOne ? x <= 1 : x < 1))) throw new ConfigError(`${name}: expected a number in (0, 1${o.allowOne ? ']' : ')'}, got ${value}`);
  return x;
}

function positive(name: string, value: string): number {
  const x = parseNumberOption(name, value);
  if (!(x > 0)) throw new ConfigError(`${name}: expected a number > 0, got ${value}`);
  return x;
}

function steps(value: string): number {
  const t = parseIntOption('--steps', value);
  if (t < 1) throw new ConfigError(`--steps: expected an integer ≥ 1, got ${value}`);
  return t;
}

/** Build the `privacy` command; `write` receives stdout text (injectable for tests). */
export function privacyCommand(write: Write = (text) => process.stdout.write(text)): Command {
  const privacy = new Command('privacy').description('differential privacy: ε of a DP-SGD run, σ for a budget, and a node\'s privacy ledger');

  privacy.command('epsilon')
    .description('ε spent by T steps of DP-SGD with noise multiplier σ and sampling rate q (RDP accountant, as Opacus)')
    .requiredOption('--noise-multiplier <sigma>', 'noise std / clipping norm (σ > 0)')
    .requiredOption('--sample-rate <q>', 'Poisson sampling rate in (0, 1]')
    .requiredOption('--steps <T>', 'number of noisy steps')
    .requiredOption('--delta <d>', 'target δ in (0, 1)')
    .option('--json', 'print {"epsilon": …, "order": …}')
    .action((flags: { noiseMultiplier: string; sampleRate: string; steps: string; delta: string; json?: boolean }) => {
      const noiseMultiplier = positive('--noise-multiplier', flags.noiseMultiplier);
      const sampleRate = probability('--sample-rate', flags.sampleRate, { allowOne: true });
      const t = steps(flags.steps);
      const delta = probability('--delta', flags.delta, { allowOne: false });
      const { epsilon, order } = epsilonFor({ noiseMultiplier, sampleRate, steps: t, delta });
      if (flags.json) write(`${JSON.stringify({ epsilon, order })}\n`);
      else write(`ε = ${epsilon.toFixed(4)} at δ = ${formatDelta(delta)} (best Rényi order ${order}) after ${t} steps at σ = ${noiseMultiplier}, q = ${sampleRate}\n`);
    });

  privacy.command('sigma')
    .description('the noise multiplier σ for which T steps at sampling rate q spend at most ε (Opacus\' calibration)')
    .requiredOption('--epsilon <e>', 'target ε > 0')
    .requiredOption('--sample-rate <q>', 'Poisson sampling rate in (0, 1]')
    .requiredOption('--steps <T>', 'number of noisy steps')
    .requiredOption('--delta <d>', 'target δ in (0, 1)')
    .option('--json', 'print {"noiseMultiplier": …}')
    .action((flags: { epsilon: string; sampleRate: string; steps: string; delta: string; json?: boolean }) => {
      const targetEpsilon = positive('--epsilon', flags.epsilon);
      const sampleRate = probability('--sample-rate', flags.sampleRate, { allowOne: true });
      const t = steps(flags.steps);
      const delta = probability('--delta', flags.delta, { allowOne: false });
      let noiseMultiplier: number;
      try {
        noiseMultiplier = calibrateForBudget({ targetEpsilon, delta, sampleRate, steps: t });
      } catch (err) {
        if (err instanceof RangeError) throw new ConfigError(`--epsilon: ${err.message}`);
        throw err;
      }
      if (flags.json) write(`${JSON.stringify({ noiseMultiplier })}\n`);
      else write(`σ = ${noiseMultiplier.toFixed(4)}: ${t} steps at q = ${sampleRate} spend ε ≤ ${targetEpsilon} at δ = ${formatDelta(delta)}\n`);
    });

  privacy.command('ledger')
    .description('a node\'s privacy budgets, what each dataset has spent and reserved, and the spend of each job')
    .requiredOption('--config <file>', 'the node\'s configuration file (node.yaml)')
    .option('--json', 'print the ledger summary as JSON')
    .action((flags: { config: string; json?: boolean }) => {
      const config = loadNodeConfig(flags.config);
      // Read-only look: reservations stay as the running node holds them.
      const ledger = PrivacyLedger.open({ file: privacyLedgerFile(config.dataDir), budgets: privacyBudgetsOf(config) });
      const summary = ledger.summary();
      if (flags.json) {
        write(`${JSON.stringify({ datasets: summary, entries: ledger.list() }, null, 2)}\n`);
        return;
      }
      if (summary.length === 0) {
        write('no dataset has a privacy budget or a charge yet\n');
        return;
      }
      write(`${formatTable(['dataset', 'budget ε', 'budget δ', 'spent ε', 'spent+reserved ε', 'remaining ε'], summary.map((d) => [
        d.datasetKey, d.budget ? formatEpsilon(d.budget.epsilon) : '—', d.budget ? formatDelta(d.budget.delta) : '—',
        formatEpsilon(d.spentEpsilon), formatEpsilon(d.committedEpsilon), d.remainingEpsilon === undefined ? '—' : formatEpsilon(d.remainingEpsilon),
      ]))}\n`);
      const jobs = summary.flatMap((d) => d.jobs.map((j) => [d.datasetKey, j.jobId, j.kind, String(j.charges), formatEpsilon(j.epsilon), j.reserved ? 'yes' : 'no']));
      if (jobs.length > 0) write(`\n${formatTable(['dataset', 'job', 'mechanism', 'charges', 'ε spent', 'reserved'], jobs)}\n`);
    });
  return privacy;
}
