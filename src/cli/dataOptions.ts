/**
 * The options every simulation-backed command shares (simulate, scorecard, fairness): where
 * the data comes from and how it is dealt to simulated lenders.
 */
import { Option, type Command } from 'commander';

/** Add --dataset, --data, --target, --bad, --id, --nodes and --partition to `command`. */
export function withDataOptions(command: Command, options: { dataHelp?: string } = {}): Command {
  return command
    .addOption(new Option('--dataset <name>', 'built-in dataset').choices(['german', 'credit_data']))
    .option('--data <file>', options.dataHelp ?? 'your own CSV file (with --target and --bad)')
    .option('--target <column>', 'target column of --data')
    .option('--bad <value>', 'target value that means bad / default')
    .option('--id <column>', 'id column of --data (not a feature)')
    .option('--nodes <n>', 'number of simulated lenders', '5')
    .option('--partition <spec>', 'iid | dirichlet:ALPHA | quantity:ALPHA | attr:COLUMN', 'iid');
}
