/**
 * Child processes of the demo (and of the end-to-end tests): the coordinator and the lender
 * nodes run as separate OS processes, exactly as they would in different data centres.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HttpClient } from '../node/http.js';

/** The `fedcredit` entry point of this installation. */
export const FEDCREDIT_BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'fedcredit.js');

export interface Spawned {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logFile: string;
  /** Resolves with the exit code (or signal) when the process ends. */
  readonly exited: Promise<number | string | null>;
}

/** Start `fedcredit <args>` with its output in `<logDir>/<name>.log`. */
export function spawnFedcredit(name: string, args: string[], options: { logDir: string; cwd?: string; env?: NodeJS.ProcessEnv }): Spawned {
  mkdirSync(options.logDir, { recursive: true });
  const logFile = join(options.logDir, `${name}.log`);
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(process.execPath, [FEDCREDIT_BIN, ...args], { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  return { name, child, logFile, exited };
}

/** Wait until `url` answers 2xx, or throw after `timeoutMs` (`ca`: trust this CA for HTTPS). */
export async function waitForHttp(url: string, timeoutMs = 30_000, isAlive: () => boolean = () => true, ca?: string | Buffer): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const parsed = new URL(url);
  const client = new HttpClient(parsed.origin, ca ? { ca } : {});
  let lastError = '';
  try {
    while (Date.now() < deadline) {
      if (!isAlive()) throw new Error(`process serving ${url} exited before it answered`);
      try {
        const res = await client.request('GET', `${parsed.pathname}${parsed.search}`, { timeoutMs: 5000 });
        if (res.status >= 200 && res.status < 300) return;
        lastError = `HTTP ${res.status}`;
      } catch (err) {
        lastError = (err as Error).message;
      }
      await new Promise((r) => setTimeout(r, 150));
    }
  } finally {
    client.close();
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms (${lastError})`);
}

/** Stop processes: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopAll(processes: readonly Spawned[], graceMs = 5_000): Promise<void> {
  await Promise.all(processes.map(async (p) => {
    if (p.child.exitCode !== null || p.child.signalCode !== null) return;
    p.child.kill('SIGTERM');
    const t = setTimeout(() => p.child.kill('SIGKILL'), graceMs);
    await p.exited;
    clearTimeout(t);
  }));
}
