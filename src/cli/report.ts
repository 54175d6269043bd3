/**
 * `fedcredit report --model VERSION`: write the model report (HTML) from the coordinator's
 * database: federated evaluation charts, scorecard points, fairness by protected group, rounds,
 * privacy and aggregation settings with each lender's spend, lineage.
 */
import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { renderModelReport } from '../report/modelReport.js';
import { openStore, resolveStoreUrl } from '../store/index.js';

export function reportCommand(): Command {
  return new Command('report')
    .description('write the HTML report of a model version (ROC, KS, calibration, score distribution, scorecard, fairness, rounds, privacy spent, lineage)')
    .requiredOption('--model <id>', 'model version id (see `fedcredit jobs show JOB`)')
    .option('--out <file>', 'output file', 'model-report.html')
    .option('--data-dir <dir>', 'coordinator data directory', '.fedcredit/coordinator')
    .option('--db <url>', 'database URL (default: DATABASE_URL, else <data-dir>/fedcredit.db)')
    .action(async (flags: { model: string; out: string; dataDir: string; db?: string }) => {
      const store = await openStore(resolveStoreUrl({ db: flags.db, dataDir: flags.dataDir, env: process.env }));
      try {
        const model = await store.getModelVersion(flags.model);
        const html = renderModelReport({ model, job: await store.getJob(model.jobId), rounds: await store.listRounds(model.jobId) });
        writeFileSync(flags.out, html);
        process.stdout.write(`report of model ${model.id} written to ${flags.out}\n`);
      } finally {
        await store.close();
      }
    });
}
