/**
 * The `fedcredit` command line.
 */
import { Command } from 'commander';
import { reportError, EXIT_USAGE } from './errors.js';
import { simulateCommand } from './simulate.js';
import { demoCommand } from './demo.js';
import { coordinatorCommand } from './coordinator.js';
import { nodeCommand } from './node.js';
import { nodesCommand } from './nodes.js';
import { jobsCommand } from './jobs.js';
import { auditCommand } from './audit.js';
import { synthCommand } from './synth.js';
import { scorecardCommand } from './scorecard.js';
import { fairnessCommand } from './fairness.js';
import { privacyCommand } from './privacy.js';
import { tokenizeCommand } from './tokenize.js';
import { reportCommand } from './report.js';

/** Build the program (exported for tests). */
export function buildProgram(): Command {
  const program = new Command('fedcredit')
    .description('Federated credit-risk modelling: lenders train one model, no customer record leaves its owner.')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();
  for (const command of [simulateCommand(), demoCommand(), coordinatorCommand(), nodeCommand(), nodesCommand(), jobsCommand(), auditCommand(), privacyCommand()]) {
    // addCommand does not pass these settings down: usage errors must reach main() as exceptions
    program.addCommand(command.exitOverride().showHelpAfterError());
  }
  program.addCommand(tokenizeCommand().exitOverride().showHelpAfterError());
  program.addCommand(scorecardCommand().exitOverride().showHelpAfterError());
  program.addCommand(fairnessCommand().exitOverride().showHelpAfterError());
  program.addCommand(synthCommand().exitOverride().showHelpAfterError());
  program.addCommand(reportCommand().exitOverride().showHelpAfterError());
  return program;
}

async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (typeof code === 'string' && code.startsWith('commander.')) {
      // commander already printed help or the usage error
      return code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help' ? 0 : EXIT_USAGE;
    }
    return reportError(err);
  }
}

main(process.argv).then((code) => {
  // a command may have set its own exit code (e.g. `audit verify` finding tampering)
  if (code !== 0 || process.exitCode === undefined) process.exitCode = code;
});
