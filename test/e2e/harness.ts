/**
 * A real federation for end-to-end tests: a coordinator and lender nodes as separate OS
 * processes (the built `fedcredit` binary) talking over loopback, each lender holding an age
 * band of German credit. Nothing is mocked.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManagementClient } from '../../src/cli/management.js';
import { spawnFedcredit, stopAll, waitForHttp, type Spawned } from '../../src/demo/processes.js';
import { writeLenders, type DemoLender } from '../../src/demo/slices.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * The first of `count` consecutive ports free right now on 127.0.0.1, below the kernel's
 * ephemeral range (Linux: 32768 and up), so that no outgoing connection of the processes under
 * test can take one of them between this check and their listen (ports next to a port the
 * kernel just handed out are the next ones it hands out).
 */
export async function freePortRun(count: number): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * (12_000 - count));
    let free = true;
    for (let i = 0; i < count && free; i++) free = await canBind(base + i);
    if (free) return base;
  }
  throw new Error(`no ${count} consecutive free ports found in 20000–32000`);
}

export interface Federation {
  readonly dir: string;
  readonly url: string;
  readonly admin: ManagementClient;
  readonly lenders: DemoLender[];
  readonly nodes: Map<string, Spawned>;
  coordinator: Spawned;
  readonly logDir: string;
  readonly coordinatorDataDir: string;
  /** SIGKILL the coordinator and start it again on the same port and data directory. */
  restartCoordinator(options?: { kill?: boolean }): Promise<void>;
  /** Text of a process's log. */
  log(name: string): string;
  stop(): Promise<void>;
}

/** Start a coordinator and `numLenders` nodes; resolves when all are up and online. */
export async function startFederation(options: { numLenders?: number; onlineWindowMs?: number; tls?: boolean; privacyBudget?: { epsilon: number; delta: number } } = {}): Promise<Federation> {
  const numLenders = options.numLenders ?? 3;
  const dir = mkdtempSync(join(tmpdir(), 'fedcredit-e2e-'));
  const logDir = join(dir, 'logs');
  // the coordinator's and the lenders' ports, below the ephemeral range (see freePortRun)
  const port = await freePortRun(1 + numLenders);
  let ca: Buffer | undefined;
  const tlsArgs: string[] = [];
  if (options.tls) {
    const certDir = join(dir, 'certs');
    const made = spawnSync('bash', [join(REPO, 'scripts', 'make-certs.sh'), certDir, 'localhost'], { encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`make-certs.sh failed: ${made.stderr}`);
    ca = readFileSync(join(certDir, 'ca.pem'));
    tlsArgs.push('--tls-cert', join(certDir, 'coordinator.pem'), '--tls-key', join(certDir, 'coordinator.key'));
  }
  const url = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  const ports = Array.from({ length: numLenders }, (_, i) => port + 1 + i);
  const lenders = writeLenders(dir, { numLenders, basePort: 0, coordinator: url, ports });
  if (options.tls) for (const l of lenders) appendFileSync(l.config, `tls:\n  ca: ./certs/ca.pem\n`);
  if (options.privacyBudget) {
    // the owner's budget on the lender's dataset: only private jobs that fit it are admitted
    const { epsilon, delta } = options.privacyBudget;
    for (const l of lenders) {
      const text = readFileSync(l.config, 'utf8');
      writeFileSync(l.config, text.replace('    testFraction: 0.2\n', `    testFraction: 0.2\n    privacy:\n      budget: { epsilon: ${epsilon}, delta: ${delta} }\n`));
    }
  }
  const coordinatorDataDir = join(dir, 'state', 'coordinator');
  const coordinatorArgs = ['coordinator', '--port', String(port), '--data-dir', coordinatorDataDir, '--online-window', String(options.onlineWindowMs ?? 5000), ...tlsArgs];
  const startCoordinator = async () => {
    const c = spawnFedcredit('coordinator', coordinatorArgs, { logDir, cwd: dir });
    await waitForHttp(`${url}/healthz`, 30_000, () => c.child.exitCode === null && c.child.signalCode === null, ca);
    return c;
  };
  const fed: Federation = {
    dir, url, lenders, logDir, coordinatorDataDir,
    coordinator: await startCoordinator(),
    admin: new ManagementClient({ coordinator: url, dataDir: coordinatorDataDir, ...(ca ? { ca: join(dir, 'certs', 'ca.pem') } : {}) }),
    nodes: new Map(),
    async restartCoordinator(o = {}) {
      fed.coordinator.child.kill(o.kill === false ? 'SIGTERM' : 'SIGKILL');
      await fed.coordinator.exited;
      fed.coordinator = await startCoordinator();
    },
    log: (name) => readFileSync(join(logDir, `${name}.log`), 'utf8'),
    async stop() {
      fed.admin.close();
      await stopAll([...fed.nodes.values(), fed.coordinator], 3000);
    },
  };
  for (const lender of lenders) {
    const invite = await fed.admin.call<{ token: string }>('POST', '/api/v1/invitations', { institution: lender.institution });
    const node = spawnFedcredit(lender.name, ['node', '--config', lender.config, '--token', invite.token], { logDir, cwd: dir, env: { FEDCREDIT_LOG_LEVEL: process.env.FEDCREDIT_NODE_LOG_LEVEL ?? 'info', FEDCREDIT_PAILLIER_MIN_KEY_BITS: '1024' } });
    fed.nodes.set(lender.name, node);
  }
  for (const lender of lenders) await waitForHttp(`http://127.0.0.1:${lender.port}/healthz`, 60_000, () => fed.nodes.get(lender.name)!.child.exitCode === null);
  for (let i = 0; i < 200; i++) {
    const list = await fed.admin.call<{ online: boolean }[]>('GET', '/api/v1/nodes');
    if (list.filter((n) => n.online).length === numLenders) return fed;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('nodes did not come online');
}

export interface JobView {
  id: string;
  status: string;
  currentRound: number;
  error?: string;
  rounds: { round: number; participants: string[]; metrics: Record<string, unknown> }[];
  models: { id: string; status: string; lineage: { nodes: string[]; rounds: number[] } }[];
}

/** Poll a job until `predicate` holds (or the job ends), at most `timeoutMs`. */
export async function waitForJob(fed: Federation, jobId: string, predicate: (job: JobView) => boolean, timeoutMs = 120_000): Promise<JobView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let job: JobView | undefined;
    try {
      job = await fed.admin.call<JobView>('GET', `/api/v1/jobs/${jobId}`);
    } catch {
      // the coordinator may be restarting
    }
    if (job && (predicate(job) || ['completed', 'failed', 'cancelled'].includes(job.status))) return job;
    if (Date.now() > deadline) throw new Error(`job ${jobId} did not reach the expected state within ${timeoutMs} ms (${job?.status} at round ${job?.currentRound})`);
    await new Promise((r) => setTimeout(r, 30));
  }
}

/** The seed system's request body. */
export const SEED_PAYLOAD = [{ existingchecking: 'A11', duration: 6, credithistory: 'A34', purpose: 'A43', creditamount: 1169, savings: 'A65', employmentsince: 'A75', installmentrate: 4, statussex: 'A93', otherdebtors: 'A101', residencesince: 4, property: 'A121', age: 67, otherinstallmentplans: 'A143', housing: 'A152', existingcredits: 2, job: 'A173', peopleliable: 1, telephone: 'A192', foreignworker: 'A201' }];
