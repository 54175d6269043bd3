/**
 * `npm start` runs `fedcredit demo`: a coordinator and three lender processes train, the demo
 * prints progress and the comparison, keeps serving, and Ctrl-C (SIGINT) stops every process.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FEDCREDIT_BIN } from '../../src/demo/processes.js';
import { freePortRun, SEED_PAYLOAD } from './harness.js';

describe('fedcredit demo (what npm start runs)', () => {
  it('trains across separate processes, serves /predictCreditRisk, and stops every process on Ctrl-C', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'fedcredit-demo-')), 'demo');
    // the coordinator and the three lenders (the demo gives them consecutive ports)
    const port = await freePortRun(4);
    const nodePort = port + 1;
    const child = spawn(process.execPath, [FEDCREDIT_BIN, 'demo', '--dir', dir, '--port', String(port), '--node-port', String(nodePort), '--rounds', '10'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
    const deadline = Date.now() + 120_000;
    while (!out.includes('Press Ctrl-C') && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
    expect(out).toContain('Press Ctrl-C');
    expect(out).toMatch(/round {2}10\/10/);
    expect(out).toMatch(/federated \(3 processes\)\s+0\.\d{3}/);
    expect(out).toMatch(/pooled \(reference\)/);
    expect(out).toMatch(/bank-a alone/);
    // the coordinator's dashboard and each lender's workspace, with their one-time setup tokens
    expect(out).toMatch(/dashboard: http:\/\/127\.0\.0\.1:\d+\/ .*\n\s+fcst_[A-Za-z0-9_-]{20,}/);
    for (const name of ['bank-a', 'bank-b', 'bank-c']) expect(out).toMatch(new RegExp(`${name} workspace: http://127\\.0\\.0\\.1:\\d+/ .*fcst_[A-Za-z0-9_-]{20,}`));

    const res = await fetch(`http://127.0.0.1:${nodePort}/predictCreditRisk`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(SEED_PAYLOAD) });
    expect(res.status).toBe(200);
    expect(JSON.stringify(await res.json())).toMatch(/^\[\[[12]\]\]$/);

    child.kill('SIGINT');
    expect(await exited).toBe(0);
    for (const p of [port, nodePort, nodePort + 1, nodePort + 2]) {
      await expect(fetch(`http://127.0.0.1:${p}/healthz`)).rejects.toThrow();
    }
    } finally {
      // on failure, take the demo and its children down (the demo stops its children on SIGINT)
      if (child.exitCode === null) {
        child.kill('SIGINT');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      }
    }
  });
});
