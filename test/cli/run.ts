/** Run the real `fedcredit` binary (bin/fedcredit.js → dist/, built by `npm run build`). */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/fedcredit.js', import.meta.url));

export function fedcredit(args: string[], options: { cwd?: string; timeoutMs?: number } = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: options.cwd, timeout: options.timeoutMs ?? 120_000, env: { ...process.env, FORCE_COLOR: '0' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
