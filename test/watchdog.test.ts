/**
 * The test watchdog (test/watchdog.ts): a test stuck in synchronous code must fail the run with
 * its name, not hang it. Runs vitest on a fixture that spins forever, with a 3-second limit.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

it('kills a worker blocked in synchronous code and names the test', async () => {
  const child = spawn(process.execPath, [join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--config', 'test/fixtures/watchdog/vitest.config.ts'], {
    // its own process group, so that a watchdog that failed to fire cannot leave a spinning worker behind
    cwd: ROOT, env: { ...process.env, FEDCREDIT_TEST_WATCHDOG_S: '3', CI: '1' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true,
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const timer = setTimeout(() => {
    try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* the group has just gone */ }
  }, 40_000);
  const code = await exited;
  clearTimeout(timer);
  expect(out).toMatch(/\[watchdog\] test worker \d+ blocked for \d+ s in synchronous code; killing it\. Running: test\/fixtures\/watchdog\/spin\.fixture\.ts > spins forever/);
  expect(code).not.toBe(0);
}, 45_000);
