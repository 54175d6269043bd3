/**
 * `fedcredit audit privacy`: attack federated models trained without DP and with DP-SGD at
 * several ε (membership inference: loss threshold and shadow models), print the table, run the
 * transport check on a full job, and write everything as JSON when asked. Exit code 1 when the
 * transport check finds a record value; the advantage target is reported, not enforced.
 */
import { writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { ConfigError } from '../errors.js';
import type { ModelSpec } from '../node/jobContext.js';
import { formatAuditReport, formatTransportCheck } from '../privacy/audit/format.js';
import { privacyAuditOptions, runAuditTransportChecks, runPrivacyAudit, type PrivacyAuditOptions } from '../privacy/audit/report.js';
import { parseHidden, parseIntOption, parseNumberOption } from './parse.js';

/** Flags as commander hands them over. */
export interface AuditPrivacyFlags {
  dataset: string; nodes: string; epsilons: string; delta: string; repeats: string; rounds: string; shadows: string;
  model: string; hidden?: string; seed: string; json?: string; transportCheck: boolean; quiet?: boolean;
}

/** Turn flags into validated audit options (ConfigError naming the flag otherwise). */
export function toAuditOptions(flags: AuditPrivacyFlags): PrivacyAuditOptions {
  const epsilons = flags.epsilons.split(',').filter((s) => s.trim() !== '').map((s) => parseNumberOption('--epsilons', s));
  const model: ModelSpec = flags.model === 'mlp' ? { kind: 'mlp', config: { hidden: parseHidden(flags.hidden ?? '16'), activation: 'relu' } } : { kind: 'logreg', config: {} };
  if (flags.hidden !== undefined && flags.model !== 'mlp') throw new ConfigError('--hidden: only with --model mlp');
  try {
    return privacyAuditOptions({
      dataset: flags.dataset as PrivacyAuditOptions['dataset'],
      numNodes: parseIntOption('--nodes', flags.nodes),
      epsilons,
      delta: parseNumberOption('--delta', flags.delta),
      repeats: parseIntOption('--repeats', flags.repeats),
      rounds: parseIntOption('--rounds', flags.rounds),
      numShadows: parseIntOption('--shadows', flags.shadows),
      model,
      seed: parseIntOption('--seed', flags.seed),
    });
  } catch (err) {
    // The options' RangeErrors name the field; on the command line they are usage errors.
    if (err instanceof RangeError) throw new ConfigError(err.message);
    throw err;
  }
}

/** Build the `privacy` subcommand of `fedcredit audit`. */
export function auditPrivacyCommand(): Command {
  return new Command('privacy')
    .description('membership-inference audit of federated models with and without DP, plus a check that no record value leaves a node')
    .addOption(new Option('--dataset <name>', 'built-in dataset').choices(['german', 'credit_data']).default('german'))
    .option('--nodes <n>', 'number of simulated lenders (IID)', '5')
    .option('--epsilons <list>', 'DP-SGD budgets to audit, comma-separated', '8,3,1')
    .option('--delta <d>', 'δ of the DP guarantee', '1e-5')
    .option('--repeats <n>', 'data splits to average over (mean ± std)', '5')
    .option('--rounds <n>', 'federated rounds', '30')
    .option('--shadows <n>', 'shadow federations per repeat', '4')
    .addOption(new Option('--model <kind>', 'model').choices(['logreg', 'mlp']).default('logreg'))
    .option('--hidden <sizes>', 'MLP hidden layer sizes (default 16)')
    .option('--seed <n>', 'random seed (same seed, same numbers)', '42')
    .option('--json <file>', 'write the audit and the transport check as JSON')
    .option('--no-transport-check', 'skip the transport check')
    .option('--quiet', 'no progress on stderr')
    .action(async (flags: AuditPrivacyFlags) => {
      const options = toAuditOptions(flags);
      const progress = !flags.quiet && process.stderr.isTTY;
      const report = await runPrivacyAudit(options, progress ? (e) => process.stderr.write(`\raudit: ${e.setting}, repeat ${e.repeat}/${e.repeats}   `) : undefined);
      if (progress) process.stderr.write('\n');
      process.stdout.write(`${formatAuditReport(report)}\n`);
      const transportChecks = flags.transportCheck ? await runAuditTransportChecks(options) : [];
      if (transportChecks.length > 0) process.stdout.write(`\n${transportChecks.map((c) => formatTransportCheck(c.setting, c.result)).join('\n')}\n`);
      if (flags.json) {
        writeFileSync(flags.json, `${JSON.stringify({ ...report, transportChecks }, null, 2)}\n`);
        process.stdout.write(`report written to ${flags.json}\n`);
      }
      if (transportChecks.some((c) => !c.result.ok)) process.exitCode = 1;
    });
}
