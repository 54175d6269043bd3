/**
 * Hostile requests against a real coordinator process: unsigned, replayed, forged, oversized
 * and malformed node requests are refused with 4xx and logged; a revoked node is shut out;
 * a bad enrollment token is refused; and tampering with the audit log is detected by
 * `fedcredit audit verify` reading the database directly.
 */
import { spawnSync } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveFrameKey, frameKeyExchange, generateNodeKeyPair, macFrame, signRequest } from '../../src/auth/index.js';
import { FEDCREDIT_BIN } from '../../src/demo/processes.js';
import { startFederation, waitForJob, type Federation } from './harness.js';

let fed: Federation;
let identity: { nodeId: string; privateKeyPem: string };
beforeAll(async () => {
  fed = await startFederation({ numLenders: 2 });
  const stateDir = join(fed.dir, 'state', 'bank-a');
  identity = { nodeId: JSON.parse(readFileSync(join(stateDir, 'identity.json'), 'utf8')).nodeId, privateKeyPem: readFileSync(join(stateDir, 'node-key.pem'), 'utf8') };
}, 120_000);
afterAll(async () => {
  await fed?.stop();
});

const post = (path: string, headers: Record<string, string>, body: Uint8Array | string) => fetch(`${fed.url}${path}`, { method: 'POST', headers, body });

describe('coordinator refuses hostile node requests', () => {
  it('refuses an unsigned poll (401) and logs it', async () => {
    const res = await fetch(`${fed.url}/api/v1/node/tasks?waitMs=10`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toBe('unsigned');
  });

  it('refuses a replayed request (same signed headers twice)', async () => {
    const path = '/api/v1/node/tasks?waitMs=10';
    const headers = signRequest({ method: 'GET', path, body: new Uint8Array(0), ...identity });
    const first = await fetch(`${fed.url}${path}`, { headers });
    expect(first.status).toBe(200);
    const replay = await fetch(`${fed.url}${path}`, { headers });
    expect(replay.status).toBe(401);
    expect(((await replay.json()) as { error: string }).error).toBe('replay');
  });

  it('refuses a request signed with another key, and a tampered body', async () => {
    const other = generateNodeKeyPair();
    const path = '/api/v1/node/tasks?waitMs=10';
    const forged = await fetch(`${fed.url}${path}`, { headers: signRequest({ method: 'GET', path, body: new Uint8Array(0), nodeId: identity.nodeId, privateKeyPem: other.privateKeyPem }) });
    expect(forged.status).toBe(401);
    expect(((await forged.json()) as { error: string }).error).toBe('bad_signature');
    const body = new Uint8Array([1, 2, 3]);
    const headers = { ...signRequest({ method: 'POST', path: '/api/v1/node/replies', body, ...identity }), 'content-type': 'application/octet-stream' };
    const tampered = await post('/api/v1/node/replies', headers, new Uint8Array([1, 2, 4]));
    expect(tampered.status).toBe(401);
    expect(((await tampered.json()) as { error: string }).error).toBe('bad_digest');
  });

  it('refuses a malformed (signed) reply body with 400 and an oversized one with 413', async () => {
    const garbage = new TextEncoder().encode('this is not the wire format');
    const res = await post('/api/v1/node/replies', { ...signRequest({ method: 'POST', path: '/api/v1/node/replies', body: garbage, ...identity }), 'content-type': 'application/octet-stream' }, garbage);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/^wire_/);
    // a declared size over the limit is refused from the headers alone, before any body is read
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${fed.url}/api/v1/node/replies`, { method: 'POST', headers: { ...signRequest({ method: 'POST', path: '/api/v1/node/replies', body: new Uint8Array(0), ...identity }), 'content-type': 'application/octet-stream', 'content-length': String(65 * 2 ** 20) } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.flushHeaders();
    });
    expect(status).toBe(413);
  });

  it('refuses a bad enrollment token and malformed JSON without a 500', async () => {
    const pair = generateNodeKeyPair();
    const bad = await post('/api/v1/enroll', { 'content-type': 'application/json' }, JSON.stringify({ token: 'fcet_not-a-real-token-at-all', publicKey: pair.publicKey }));
    expect(bad.status).toBe(401);
    const broken = await post('/api/v1/enroll', { 'content-type': 'application/json' }, '{"token": ');
    expect(broken.status).toBe(400);
    const wrongKey = await post('/api/v1/enroll', { 'content-type': 'application/json' }, JSON.stringify({ token: 'fcet_xxxxxxxxxxxxxxxx', publicKey: 'A'.repeat(44) + 'x' }));
    expect(wrongKey.status).toBeGreaterThanOrEqual(400);
    expect(wrongKey.status).toBeLessThan(500);
    const noAdmin = await post('/api/v1/jobs', { 'content-type': 'application/json' }, JSON.stringify({ datasetKey: 'german-credit' }));
    expect(noAdmin.status).toBe(401);
  });

  it('logs the refusals (codes, not secrets)', () => {
    const log = fed.log('coordinator');
    expect(log).toMatch(/refused node request/);
    expect(log).toMatch(/"code":"REPLAY"/);
    expect(log).toMatch(/"code":"BAD_SIGNATURE"/);
    expect(log).not.toContain(identity.privateKeyPem.split('\n')[1]);
    expect(log).not.toMatch(/fcet_[A-Za-z0-9_-]{20,}/); // no enrollment token value
    expect(log).not.toMatch(/fcat_[A-Za-z0-9_-]{20,}/); // no admin token value
  });

  it('rejects an invalid job submission with every problem listed', async () => {
    const res = await fetch(`${fed.url}/api/v1/jobs`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${readFileSync(join(fed.coordinatorDataDir, 'admin-token'), 'utf8').trim()}` }, body: JSON.stringify({ model: 'forest', rounds: -1, hyperparameters: { lr: 'fast' }, colour: 'blue' }) });
    expect(res.status).toBe(400);
    const body = await res.json() as { issues: { field: string }[] };
    expect(body.issues.map((i) => i.field).sort()).toEqual(['colour', 'datasetKey', 'hyperparameters.lr', 'model', 'rounds']);
  });

  it('shuts a revoked node out at once', async () => {
    await fed.admin.call('POST', `/api/v1/nodes/${identity.nodeId}/revoke`);
    const path = '/api/v1/node/tasks?waitMs=10';
    const res = await fetch(`${fed.url}${path}`, { headers: signRequest({ method: 'GET', path, body: new Uint8Array(0), ...identity }) });
    expect(res.status).toBe(403);
    const nodes = await fed.admin.call<{ id: string; online: boolean; revokedAt?: number }[]>('GET', '/api/v1/nodes');
    const revoked = nodes.find((n) => n.id === identity.nodeId)!;
    expect(revoked.revokedAt).toBeGreaterThan(0);
    expect(revoked.online).toBe(false);
  });
});

describe('audit log', () => {
  it('verifies intact, then detects an edited and a deleted entry', async () => {
    // produce some history: a short job on the remaining node
    const job = await fed.admin.call<{ id: string }>('POST', '/api/v1/jobs', { datasetKey: 'german-credit', rounds: 3, minNodes: 1, roundTimeoutMs: 10_000 });
    await waitForJob(fed, job.id, () => false);
    const verify = (args: string[] = []) => spawnSync(process.execPath, [FEDCREDIT_BIN, 'audit', 'verify', '--data-dir', fed.coordinatorDataDir, ...args], { encoding: 'utf8' });
    const ok = verify();
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/intact/);
    const db = new Database(join(fed.coordinatorDataDir, 'fedcredit.db'));
    try {
      // an insider with write access to the database: triggers do not stop them, the hash chain does
      for (const t of db.prepare(`SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'`).all() as { name: string }[]) db.exec(`DROP TRIGGER "${t.name}"`);
      const target = db.prepare('SELECT seq, details FROM audit_log ORDER BY seq LIMIT 1 OFFSET 3').get() as { seq: number; details: string };
      db.prepare('UPDATE audit_log SET details = ? WHERE seq = ?').run('{"round":99}', target.seq);
      const edited = verify(['--json']);
      expect(edited.status).toBe(1);
      expect(JSON.parse(edited.stdout)).toMatchObject({ ok: false, firstBadSeq: target.seq, reason: 'edited' });
      db.prepare('UPDATE audit_log SET details = ? WHERE seq = ?').run(target.details, target.seq);
      expect(verify().status).toBe(0);
      db.prepare('DELETE FROM audit_log WHERE seq = ?').run(target.seq + 1);
      const deleted = verify(['--json']);
      expect(deleted.status).toBe(1);
      expect(JSON.parse(deleted.stdout)).toMatchObject({ ok: false, reason: 'deleted' });
      const human = verify();
      expect(human.stdout).toMatch(/TAMPERED/);
    } finally {
      db.close();
    }
  });
});

describe('WebSocket task channel', () => {
  it('refuses an unsigned upgrade and closes a channel that sends a forged frame', async () => {
    const { default: WebSocket } = await import('ws');
    const wsUrl = fed.url.replace('http', 'ws') + '/api/v1/node/ws';
    const unsigned = new WebSocket(wsUrl);
    const status = await new Promise<number>((resolve) => {
      unsigned.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      unsigned.once('open', () => resolve(101));
      unsigned.once('error', () => undefined);
    });
    expect(status).toBe(401);

    const stateDir = join(fed.dir, 'state', 'bank-b');
    const b = { nodeId: JSON.parse(readFileSync(join(stateDir, 'identity.json'), 'utf8')).nodeId as string, privateKeyPem: readFileSync(join(stateDir, 'node-key.pem'), 'utf8') };
    const signed = new WebSocket(wsUrl, { headers: signRequest({ method: 'GET', path: '/api/v1/node/ws', body: new Uint8Array(0), ...b }) });
    const closeCode = await new Promise<number>((resolve) => {
      signed.once('message', () => {
        // a frame with a zeroed signature: seq 0, garbage body
        const frame = new Uint8Array(64 + 4 + 10);
        signed.send(frame);
      });
      signed.once('close', (code) => resolve(code));
    });
    expect(closeCode).toBe(1008);
    for (let i = 0; i < 50 && !fed.log('coordinator').includes('FRAME_BAD_SIGNATURE'); i++) await new Promise((r) => setTimeout(r, 100));
    expect(fed.log('coordinator')).toMatch(/FRAME_BAD_SIGNATURE/);
  });

  it('with a key exchange (the default): refuses a bad exchange key and closes on a frame with a forged MAC', async () => {
    const { default: WebSocket } = await import('ws');
    const stateDir = join(fed.dir, 'state', 'bank-b');
    const b = { nodeId: JSON.parse(readFileSync(join(stateDir, 'identity.json'), 'utf8')).nodeId as string, privateKeyPem: readFileSync(join(stateDir, 'node-key.pem'), 'utf8') };
    const open = (path: string) => new WebSocket(fed.url.replace('http', 'ws') + path, { headers: signRequest({ method: 'GET', path, body: new Uint8Array(0), ...b }) });
    // the all-zero point is a low-order key: refused at the upgrade
    const lowOrder = open(`/api/v1/node/ws?kx=${Buffer.alloc(32).toString('base64url')}`);
    const refused = await new Promise<number>((resolve) => {
      lowOrder.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      lowOrder.once('open', () => resolve(101));
      lowOrder.once('error', () => undefined);
    });
    expect(refused).toBe(400);

    const mine = frameKeyExchange();
    const channel = open(`/api/v1/node/ws?kx=${Buffer.from(mine.publicKey).toString('base64url')}`);
    const before = (fed.log('coordinator').match(/FRAME_BAD_SIGNATURE/g) ?? []).length;
    const closeCode = await new Promise<number>((resolve) => {
      channel.once('message', (hello: Buffer) => {
        expect(hello.length).toBe(65); // type, nonce, the coordinator's exchange key
        // a frame authenticated under a key the attacker made up instead of the agreed one
        const wrongKey = deriveFrameKey(frameKeyExchange().privateKey, new Uint8Array(hello.subarray(33)), new Uint8Array(hello.subarray(1, 33)), b.nodeId);
        channel.send(macFrame(wrongKey, 0, new Uint8Array(10)));
      });
      channel.once('close', (code) => resolve(code));
    });
    expect(closeCode).toBe(1008);
    for (let i = 0; i < 50 && (fed.log('coordinator').match(/FRAME_BAD_SIGNATURE/g) ?? []).length <= before; i++) await new Promise((r) => setTimeout(r, 100));
    expect((fed.log('coordinator').match(/FRAME_BAD_SIGNATURE/g) ?? []).length).toBeGreaterThan(before);
  });
});
