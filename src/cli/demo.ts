/**
 * `fedcredit demo` (what `npm start` runs): five simulated lenders, each serving a different
 * age band of German credit applicants, train a logistic regression together; the table then
 * shows what federation buys over each lender alone and how close it comes to pooling.
 */
import { Command } from 'commander';
import { simulateCommand } from './simulate.js';

/** Build the `demo` command. */
export function demoCommand(): Command {
  return new Command('demo')
    .description('one-machine demo: 5 lenders (split by age band) federate on German credit')
    .action(async () => {
      process.stdout.write('FedCredit demo: 5 lenders, each serving a different age band of German-credit applicants,\ntrain one logistic regression with FedAvg; no row leaves a lender.\n\n');
      await simulateCommand().parseAsync(['--dataset', 'german', '--nodes', '5', '--rounds', '30', '--partition', 'attr:age', '--seed', '42'], { from: 'user' });
    });
}
