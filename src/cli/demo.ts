/**
 * `fedcredit demo` (what `npm start` runs): a coordinator and three lender nodes as separate
 * processes train together, then keep serving; see src/demo/run.ts.
 */
import { Command } from 'commander';
import { runDemo } from '../demo/run.js';
import { parseIntOption } from './parse.js';

export function demoCommand(): Command {
  return new Command('demo')
    .description('one-machine demo: coordinator + 3 lender nodes (separate processes) train on German credit, then serve scoring')
    .option('--dir <dir>', 'working directory of the demo (recreated)', '.fedcredit/demo')
    .option('--lenders <n>', 'number of lender nodes', '3')
    .option('--port <port>', 'coordinator port', '8040')
    .option('--node-port <port>', 'port of the first lender (the others follow)', '8049')
    .option('--rounds <n>', 'training rounds', '30')
    .option('--no-serve', 'exit after training instead of serving')
    .action(async (flags: { dir: string; lenders: string; port: string; nodePort: string; rounds: string; serve: boolean }) => {
      await runDemo({
        dir: flags.dir, numLenders: parseIntOption('--lenders', flags.lenders), coordinatorPort: parseIntOption('--port', flags.port),
        firstNodePort: parseIntOption('--node-port', flags.nodePort), rounds: parseIntOption('--rounds', flags.rounds), serve: flags.serve,
      });
    });
}
