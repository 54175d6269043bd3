/**
 * `fedcredit jobs submit|list|show|watch`: train models across the federation.
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { ConfigError } from '../errors.js';
import { formatTable } from './format.js';
import { ManagementClient, withManagementOptions, type ManagementFlags } from './management.js';
import { parseHidden, parseIntOption, parseNumberOption } from './parse.js';

interface JobView {
  id: string; status: string; currentRound: number; error?: string; createdAt: number;
  spec: { datasetKey: string; model: string; strategy: string; rounds: number; minNodes: number };
  rounds?: { round: number; participants: string[]; metrics: { auc?: number; ks?: number; trainLoss?: number; durationMs?: number } }[];
  models?: { id: string; version: number; status: string }[];
}

export function jobsCommand(): Command {
  const jobs = new Command('jobs').description('submit and follow training jobs');

  const submit = withManagementOptions(new Command('submit'))
    .description('submit a training job (options, or a JSON spec with --file)')
    .option('--file <spec.json>', 'job spec as JSON (see POST /api/v1/jobs in /docs)')
    .option('--dataset <key>', 'dataset key the nodes registered')
    .option('--model <kind>', 'logreg | mlp', 'logreg')
    .option('--hidden <sizes>', 'MLP hidden sizes, e.g. 16 or 32,16')
    .option('--strategy <name>', 'fedavg | fedprox | fedadam | fedyogi | trimmed | median | krum', 'fedavg')
    .option('--rounds <n>', 'rounds', '30')
    .option('--min-nodes <n>', 'fewest nodes per round', '2')
    .option('--round-timeout <ms>', 'round timeout in ms', '60000')
    .option('--lr <rate>', 'local learning rate')
    .option('--local-epochs <n>', 'local epochs per round')
    .option('--seed <n>', 'seed', '42')
    .option('--approve', 'approve the resulting model for scoring automatically')
    .option('--watch', 'follow the job until it ends')
    .option('--json', 'print JSON')
    .action(async (flags: ManagementFlags & Record<string, string | boolean | undefined>) => {
      let body: Record<string, unknown>;
      if (flags.file) {
        try {
          body = JSON.parse(readFileSync(String(flags.file), 'utf8'));
        } catch (err) {
          throw new ConfigError(`--file ${flags.file}: ${(err as Error).message}`);
        }
      } else {
        if (!flags.dataset) throw new ConfigError('jobs submit needs --dataset KEY (or --file spec.json)');
        const hyperparameters: Record<string, unknown> = {};
        if (flags.lr) hyperparameters.lr = parseNumberOption('--lr', String(flags.lr));
        if (flags.localEpochs) hyperparameters.epochs = parseIntOption('--local-epochs', String(flags.localEpochs));
        if (flags.hidden) hyperparameters.hidden = parseHidden(String(flags.hidden));
        body = {
          datasetKey: flags.dataset, model: flags.model, strategy: flags.strategy, rounds: parseIntOption('--rounds', String(flags.rounds)),
          minNodes: parseIntOption('--min-nodes', String(flags.minNodes)), roundTimeoutMs: parseIntOption('--round-timeout', String(flags.roundTimeout)),
          seed: parseIntOption('--seed', String(flags.seed)), hyperparameters, options: { approveModel: !!flags.approve },
        };
      }
      const client = new ManagementClient(flags);
      try {
        const job = await client.call<JobView>('POST', '/api/v1/jobs', body);
        if (flags.json) process.stdout.write(`${JSON.stringify(job)}\n`);
        else process.stdout.write(`job ${job.id} submitted (${job.spec.model}, ${job.spec.strategy}, ${job.spec.rounds} rounds on "${job.spec.datasetKey}")\n`);
        if (flags.watch) await watch(client, job.id);
      } finally {
        client.close();
      }
    });

  const list = withManagementOptions(new Command('list')).option('--json', 'print JSON').description('all jobs').action(async (flags: ManagementFlags & { json?: boolean }) => {
    const client = new ManagementClient(flags);
    try {
      const all = await client.call<JobView[]>('GET', '/api/v1/jobs');
      if (flags.json) process.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
      else process.stdout.write(`${formatTable(['job', 'status', 'round', 'dataset', 'model', 'strategy', 'submitted'], all.map((j) => [j.id, j.status, `${j.currentRound}/${j.spec.rounds}`, j.spec.datasetKey, j.spec.model, j.spec.strategy, new Date(j.createdAt).toISOString()]))}\n`);
    } finally {
      client.close();
    }
  });

  const show = withManagementOptions(new Command('show')).argument('<jobId>').option('--json', 'print JSON').description('a job with its rounds and models').action(async (jobId: string, flags: ManagementFlags & { json?: boolean }) => {
    const client = new ManagementClient(flags);
    try {
      const job = await client.call<JobView>('GET', `/api/v1/jobs/${encodeURIComponent(jobId)}`);
      if (flags.json) process.stdout.write(`${JSON.stringify(job, null, 2)}\n`);
      else process.stdout.write(`${describeJob(job)}\n`);
    } finally {
      client.close();
    }
  });

  const watchCmd = withManagementOptions(new Command('watch')).argument('<jobId>').description('follow a job round by round until it ends').action(async (jobId: string, flags: ManagementFlags) => {
    const client = new ManagementClient(flags);
    try {
      await watch(client, jobId);
    } finally {
      client.close();
    }
  });

  for (const c of [submit, list, show, watchCmd]) jobs.addCommand(c.exitOverride());
  return jobs;
}

/** Print each new round until the job completes, fails or is cancelled. */
export async function watch(client: ManagementClient, jobId: string, out: NodeJS.WritableStream = process.stdout): Promise<JobView> {
  let printed = 0;
  for (;;) {
    const job = await client.call<JobView>('GET', `/api/v1/jobs/${encodeURIComponent(jobId)}`);
    for (const r of (job.rounds ?? []).slice(printed)) {
      out.write(`round ${String(r.round).padStart(3)}/${job.spec.rounds}  nodes ${r.participants.length}  AUC ${fmt(r.metrics.auc)}  KS ${fmt(r.metrics.ks)}  loss ${fmt(r.metrics.trainLoss, 4)}  ${r.metrics.durationMs ?? '—'} ms\n`);
    }
    printed = job.rounds?.length ?? printed;
    if (job.status === 'completed' || job.status === 'failed' || job.status === 'cancelled') {
      out.write(`job ${job.id} ${job.status}${job.error ? `: ${job.error}` : ''}${job.models?.length ? `; model ${job.models[job.models.length - 1].id} (${job.models[job.models.length - 1].status})` : ''}\n`);
      return job;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

function describeJob(job: JobView): string {
  const head = `job ${job.id}: ${job.status}, round ${job.currentRound}/${job.spec.rounds}, ${job.spec.model} with ${job.spec.strategy} on "${job.spec.datasetKey}"${job.error ? `\nerror: ${job.error}` : ''}`;
  const rounds = formatTable(['round', 'nodes', 'AUC', 'KS', 'loss'], (job.rounds ?? []).map((r) => [String(r.round), String(r.participants.length), r.metrics.auc, r.metrics.ks, r.metrics.trainLoss]));
  const models = (job.models ?? []).map((m) => `model ${m.id} v${m.version} (${m.status})`).join('\n');
  return [head, '', rounds, models].join('\n');
}

function fmt(x: number | undefined, digits = 3): string {
  return typeof x === 'number' ? x.toFixed(digits) : '—';
}
