/**
 * The one-machine demo behind `npm start`: a coordinator and three lender nodes as separate OS
 * processes, each lender holding a different age band of German credit. The demo enrolls the
 * lenders, trains a logistic regression with FedAvg, prints progress and the comparison with
 * pooled and lender-alone training, then keeps serving (scoring on the first lender's port
 * 8049) until Ctrl-C stops every process.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { loadNodeConfig, loadNodeDatasets } from '../node/config.js';
import { ManagementClient } from '../cli/management.js';
import { watch } from '../cli/jobs.js';
import { formatTable } from '../cli/format.js';
import { bytesToFloat64 } from '../coordinator/stateCodec.js';
import { parseEncoderSpec } from '../preprocess/encoder.js';
import { createModelFromParameters } from '../simulation/modelUtil.js';
import { concatTables } from '../simulation/dataset.js';
import { encoderFor, trainCentral } from '../simulation/baselines.js';
import { scoreUnion } from '../simulation/score.js';
import { simulationOptions } from '../simulation/options.js';
import type { ModelSpec } from '../node/jobContext.js';
import { spawnFedcredit, stopAll, waitForHttp, type Spawned } from './processes.js';
import { writeLenders } from './slices.js';

export interface DemoOptions {
  readonly dir: string;
  readonly numLenders: number;
  readonly coordinatorPort: number;
  readonly firstNodePort: number;
  readonly rounds: number;
  /** Keep serving after training (until SIGINT/SIGTERM). */
  readonly serve: boolean;
  readonly out?: NodeJS.WritableStream;
}

/** Run the demo; resolves when training is reported (and, with `serve`, after Ctrl-C). */
export async function runDemo(options: DemoOptions): Promise<{ federatedAuc: number; pooledAuc: number; localOnlyMeanAuc: number }> {
  const out = options.out ?? process.stdout;
  const dir = resolve(options.dir);
  rmSync(dir, { recursive: true, force: true });
  const logDir = join(dir, 'logs');
  const coordinatorUrl = `http://127.0.0.1:${options.coordinatorPort}`;
  const processes: Spawned[] = [];
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    out.write('\nstopping coordinator and nodes…\n');
    await stopAll(processes);
  };
  const onSignal = () => void stop().then(() => process.exit(0));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    out.write(`FedCredit demo: a coordinator and ${options.numLenders} lender nodes as separate processes (logs in ${logDir})\n\n`);
    const lenders = writeLenders(dir, { numLenders: options.numLenders, basePort: options.firstNodePort, coordinator: coordinatorUrl });
    const coordinator = spawnFedcredit('coordinator', ['coordinator', '--port', String(options.coordinatorPort), '--data-dir', join(dir, 'state', 'coordinator'), '--online-window', '10000'], { logDir, cwd: dir });
    processes.push(coordinator);
    await waitForHttp(`${coordinatorUrl}/healthz`, 30_000, () => coordinator.child.exitCode === null);
    out.write(`coordinator   ${coordinatorUrl}  (OpenAPI at ${coordinatorUrl}/docs)\n`);

    const admin = new ManagementClient({ coordinator: coordinatorUrl, dataDir: join(dir, 'state', 'coordinator') });
    for (const lender of lenders) {
      const invite = await admin.call<{ token: string }>('POST', '/api/v1/invitations', { institution: lender.institution });
      const node = spawnFedcredit(lender.name, ['node', '--config', lender.config, '--token', invite.token], { logDir, cwd: dir });
      processes.push(node);
      await waitForHttp(`http://127.0.0.1:${lender.port}/healthz`, 60_000, () => node.child.exitCode === null);
      out.write(`${lender.name.padEnd(13)} http://127.0.0.1:${lender.port}  ${lender.institution}, ${lender.rows} applicants aged ${lender.band}\n`);
    }

    out.write(`\ntraining: logistic regression, FedAvg, ${options.rounds} rounds over ${lenders.length} lenders (no row leaves a lender)\n`);
    const job = await admin.call<{ id: string }>('POST', '/api/v1/jobs', { datasetKey: 'german-credit', model: 'logreg', strategy: 'fedavg', rounds: options.rounds, minNodes: lenders.length, roundTimeoutMs: 30_000, seed: 42, options: { approveModel: true } });
    const finished = await watch(admin, job.id, out);
    if (finished.status !== 'completed') throw new Error(`training job ${finished.status}: ${finished.error ?? ''}`);
    const modelId = finished.models![finished.models!.length - 1].id;
    const model = await admin.call<{ meta: Record<string, unknown>; parameters: string }>('GET', `/api/v1/models/${modelId}`);
    admin.close();

    // The comparison needs every lender's rows together, which only this demo (which wrote the
    // slices) can do: the same splits the nodes use, scored centrally.
    const nodeData = lenders.map((l) => loadNodeDatasets(loadNodeConfig(l.config), 'holdout').get('german-credit')!);
    const unionTest = concatTables(nodeData.map((d) => d.test));
    const encoder = parseEncoderSpec(model.meta.encoder);
    const spec: ModelSpec = { kind: 'logreg', config: {} };
    const federated = scoreUnion(createModelFromParameters(spec, encoder.features.length, bytesToFloat64(Buffer.from(model.parameters, 'base64'))), encoder, unionTest);
    const simOptions = simulationOptions({ dataset: { builtin: 'german' }, rounds: options.rounds, seed: 42 });
    const pooledTrain = concatTables(nodeData.map((d) => d.train));
    const pooledEncoder = encoderFor(pooledTrain);
    const pooled = scoreUnion(trainCentral(pooledTrain, pooledEncoder, simOptions, 'pooled'), pooledEncoder, unionTest);
    const alone = nodeData.map((d, i) => {
      const e = encoderFor(d.train);
      return { name: lenders[i].name, m: scoreUnion(trainCentral(d.train, e, simOptions, `local:${i}`), e, unionTest) };
    });
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    out.write(`\nOn the union of the lenders' held-out applicants (${unionTest.numRows}):\n\n`);
    out.write(`${formatTable(['model', 'AUC', 'KS', 'Brier', 'cost/applicant'], [
      ['federated (3 processes)', federated.auc, federated.ks, federated.brier, federated.expectedCost],
      ['pooled (reference)', pooled.auc, pooled.ks, pooled.brier, pooled.expectedCost],
      ...alone.map((a) => [`${a.name} alone`, a.m.auc, a.m.ks, a.m.brier, a.m.expectedCost] as (string | number)[]),
    ])}\n`);
    const result = { federatedAuc: federated.auc, pooledAuc: pooled.auc, localOnlyMeanAuc: mean(alone.map((a) => a.m.auc)) };

    const first = lenders[0];
    await waitForModel(`http://127.0.0.1:${first.port}/healthz`, modelId);
    out.write(`\nServing. Score an applicant at ${first.name} (seed-compatible API):\n`);
    out.write(`  curl -s -X POST http://127.0.0.1:${first.port}/predictCreditRisk -H 'content-type: application/json' \\\n    -d '[{"existingchecking":"A11","duration":6,"credithistory":"A34","purpose":"A43","creditamount":1169,"savings":"A65","employmentsince":"A75","installmentrate":4,"statussex":"A93","otherdebtors":"A101","residencesince":4,"property":"A121","age":67,"otherinstallmentplans":"A143","housing":"A152","existingcredits":2,"job":"A173","peopleliable":1,"telephone":"A192","foreignworker":"A201"}]'\n`);
    out.write(`  reasons and decision: POST http://127.0.0.1:${first.port}/api/v1/score   (docs at http://127.0.0.1:${first.port}/docs)\n`);
    out.write(`  coordinator: ${coordinatorUrl}/docs, metrics at /metrics; admin token in ${join(dir, 'state', 'coordinator', 'admin-token')}\n`);
    const setupTokenFile = join(dir, 'state', 'coordinator', 'setup-token');
    if (existsSync(setupTokenFile)) {
      out.write(`  dashboard: ${coordinatorUrl}/  (first admin: "Set up" with this one-time token)\n    ${readFileSync(setupTokenFile, 'utf8').trim()}\n`);
    }
    // each lender's own workspace (scored applications, reasons, feedback) has its own accounts
    for (const lender of lenders) {
      const nodeToken = join(dirname(lender.config), 'state', lender.name, 'setup-token');
      if (existsSync(nodeToken)) out.write(`  ${lender.name} workspace: http://127.0.0.1:${lender.port}/  (first admin there: "Set up" with ${readFileSync(nodeToken, 'utf8').trim()})\n`);
    }
    if (options.serve) {
      out.write('\nPress Ctrl-C to stop every process.\n');
      await Promise.race(processes.map((p) => p.exited));
      if (!stopping) out.write('a demo process exited unexpectedly; see the logs\n');
    }
    return result;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    await stop();
  }
}

/** Wait until a node reports that it serves model `modelId` (nodes refresh every few seconds). */
async function waitForModel(healthUrl: string, modelId: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const health = (await (await fetch(healthUrl)).json()) as { model?: { id?: string } | null };
      if (health.model?.id === modelId) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
