/**
 * `fedcredit audit verify`: check the coordinator's hash-chained audit log, reading the
 * database directly (an auditor need not trust the running coordinator).
 * `fedcredit audit privacy`: the membership-inference and transport audit (auditPrivacy.ts).
 */
import { Command } from 'commander';
import { openStore, resolveStoreUrl } from '../store/index.js';
import { auditPrivacyCommand } from './auditPrivacy.js';

export function auditCommand(): Command {
  const audit = new Command('audit').description('audit log and privacy audit tools');
  const verify = new Command('verify')
    .description('verify the audit hash chain; exit code 1 if any entry was edited or deleted')
    .option('--data-dir <dir>', 'coordinator data directory', '.fedcredit/coordinator')
    .option('--db <url>', 'database URL (default: DATABASE_URL, else <data-dir>/fedcredit.db)')
    .option('--json', 'print JSON')
    .action(async (flags: { dataDir: string; db?: string; json?: boolean }) => {
      const store = await openStore(resolveStoreUrl({ db: flags.db, dataDir: flags.dataDir, env: process.env }));
      try {
        const result = await store.verifyAudit();
        if (flags.json) process.stdout.write(`${JSON.stringify(result)}\n`);
        else if (result.ok) process.stdout.write(`audit log intact: ${(result as { count: number }).count} entries, hash chain verified\n`);
        else process.stdout.write(`AUDIT LOG TAMPERED: ${JSON.stringify(result)}\n`);
        process.exitCode = result.ok ? 0 : 1;
      } finally {
        await store.close();
      }
    });
  audit.addCommand(verify.exitOverride());
  audit.addCommand(auditPrivacyCommand().exitOverride());
  return audit;
}
