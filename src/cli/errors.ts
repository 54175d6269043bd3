/**
 * How the CLI ends on failure: known input problems (bad data, bad options) print one clear
 * line and exit with code 2, without a stack trace; anything else is a bug and exits 1 with
 * the stack (set FEDCREDIT_DEBUG=1 to also get stacks for input errors).
 */
import { FedCreditError, DataError, ConfigError } from '../errors.js';

export const EXIT_USAGE = 2;

/** Print `err` for a person and return the exit code. */
export function reportError(err: unknown, stderr: NodeJS.WritableStream = process.stderr): number {
  const debug = process.env.FEDCREDIT_DEBUG === '1';
  if (err instanceof DataError || err instanceof ConfigError) {
    stderr.write(`fedcredit: ${err.message}\n`);
    if (debug) stderr.write(`${err.stack}\n`);
    return EXIT_USAGE;
  }
  if (err instanceof FedCreditError) {
    stderr.write(`fedcredit: ${err.code}: ${err.message}\n`);
    if (debug) stderr.write(`${err.stack}\n`);
    return 1;
  }
  if (err instanceof Error && (err as NodeJS.ErrnoException).code === 'ENOENT') {
    stderr.write(`fedcredit: ${err.message}\n`);
    return EXIT_USAGE;
  }
  stderr.write(`fedcredit: unexpected error: ${err instanceof Error ? err.stack : String(err)}\n`);
  return 1;
}
