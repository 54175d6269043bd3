/**
 * A watchdog in every test worker. Vitest's timeouts run on the worker's event loop, so a test
 * stuck in synchronous code (an endless loop on some random input) would block its worker, and
 * with it the whole run, forever. A separate thread watches a heartbeat that the worker's event
 * loop writes every second; after `LIMIT_S` seconds without one it prints which test was running
 * and kills the worker, so that the run fails with the test's name instead of hanging
 * (FEDCREDIT_TEST_WATCHDOG_S changes the limit; test/watchdog.test.ts checks it).
 */
import { Worker } from 'node:worker_threads';
import { afterEach, beforeEach } from 'vitest';

const LIMIT_S = Number(process.env.FEDCREDIT_TEST_WATCHDOG_S ?? 150);
const NAME_BYTES = 2048;

// [0]: seconds since the epoch at the last heartbeat; [1]: length of the running test's name
const state = new Int32Array(new SharedArrayBuffer(8));
const name = new Uint8Array(new SharedArrayBuffer(NAME_BYTES));
const nowS = (): number => Math.floor(Date.now() / 1000);

Atomics.store(state, 0, nowS());
setInterval(() => Atomics.store(state, 0, nowS()), 1000).unref();

const watcher = new Worker(`
const { workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const { state, name, limitS, pid } = workerData;
setInterval(() => {
  const silent = Math.floor(Date.now() / 1000) - Atomics.load(state, 0);
  if (silent < limitS) return;
  const running = Buffer.from(name.slice(0, Atomics.load(state, 1))).toString('utf8') || '(between tests)';
  writeSync(2, '\\n[watchdog] test worker ' + pid + ' blocked for ' + silent + ' s in synchronous code; killing it. Running: ' + running + '\\n');
  process.kill(pid, 'SIGKILL');
}, 5000);
`, { eval: true, workerData: { state, name, limitS: LIMIT_S, pid: process.pid } });
watcher.unref();

beforeEach((context) => {
  const bytes = new TextEncoder().encode(`${context.task.file.name} > ${context.task.name}`).subarray(0, NAME_BYTES);
  name.set(bytes);
  Atomics.store(state, 1, bytes.length);
});

afterEach(() => {
  Atomics.store(state, 1, 0);
});
