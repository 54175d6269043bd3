/** Running store fixtures in child processes (real crashes, real cross-process contention). */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Start `node --import tsx test/store/fixtures/<script> ...args` from the repository root. */
export function spawnFixture(script: string, args: readonly string[]): ChildProcess {
  const path = fileURLToPath(new URL(`../fixtures/${script}`, import.meta.url));
  return spawn(process.execPath, ['--import', 'tsx', path, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Resolve with the child's first stdout line; reject if it exits first (with its stderr). */
export function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const end = out.indexOf('\n');
      if (end >= 0) resolve(out.slice(0, end));
    });
    child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    child.on('exit', (code, signal) => reject(new Error(`fixture exited (${code ?? signal}) before reporting: ${err}`)));
  });
}

/** Resolve with the exit code and signal once the child has exited; reject on a failed exit. */
export function exited(child: ChildProcess, allowSignal?: NodeJS.Signals): Promise<void> {
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    child.on('exit', (code, signal) => {
      if (code === 0 || (allowSignal !== undefined && signal === allowSignal)) resolve();
      else reject(new Error(`fixture failed (${code ?? signal}): ${err}`));
    });
  });
}
