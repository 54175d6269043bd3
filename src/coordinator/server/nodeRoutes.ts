/**
 * The node-facing API. Pull-based: nodes open every connection (enroll, long-poll for
 * messages, post replies, fetch the approved model), so no lender opens an inbound port.
 * Message payloads travel in the binary wire format, never as JSON arrays of floats.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import { deriveFrameKey, frameKeyExchange, isFrameExchangeKey, publicKeyFromBase64, verifyFrame, verifyMacFrame, type FrameFailure, type NonceCache } from '../../auth/index.js';
import { decodeReply, encodeMessageBatch } from '../../protocol/codec.js';
import type { Store } from '../../store/index.js';
import type { NodeHub } from '../../transport/network/hub.js';
import type { CoordinatorMetrics } from './metrics.js';
import { authenticateNode, type NodeKeyCache } from './nodeAuth.js';

export interface NodeRouteDeps {
  readonly store: Store;
  readonly hub: NodeHub;
  readonly keys: NodeKeyCache;
  readonly nonces: NonceCache;
  readonly metrics: CoordinatorMetrics;
  /** Longest a poll may wait (ms). */
  readonly maxPollMs: number;
  /** Largest reply body accepted (bytes). */
  readonly maxReplyBytes: number;
}

/** Register the node routes. */
export async function nodeRoutes(app: FastifyInstance, deps: NodeRouteDeps): Promise<void> {
  const { store, hub, metrics } = deps;
  const lastTouch = new Map<string, number>();
  const touch = (nodeId: string) => {
    const now = Date.now();
    if (now - (lastTouch.get(nodeId) ?? 0) < 10_000) return;
    lastTouch.set(nodeId, now);
    store.touchNode(nodeId, now).catch((err) => app.log.warn({ err, nodeId }, 'cannot record node activity'));
  };

  app.post('/api/v1/enroll', {
    schema: {
      tags: ['nodes'], summary: 'Enroll a node with a one-time token and its Ed25519 public key',
      body: { type: 'object', required: ['token', 'publicKey'], additionalProperties: false, properties: { token: { type: 'string', minLength: 10, maxLength: 200 }, publicKey: { type: 'string', minLength: 40, maxLength: 60 }, name: { type: 'string', maxLength: 200 } } },
      response: { 200: { type: 'object', properties: { nodeId: { type: 'string' }, institutionId: { type: 'string' } } } },
    },
  }, async (request) => {
    const { token, publicKey, name } = request.body as { token: string; publicKey: string; name?: string };
    const { publicKeyFromBase64 } = await import('../../auth/index.js');
    try {
      publicKeyFromBase64(publicKey);
    } catch {
      throw Object.assign(new Error('publicKey: expected the base64 of a raw 32-byte Ed25519 public key'), { statusCode: 400, code: 'INVALID_PUBLIC_KEY' });
    }
    const node = await store.enrollNode({ token, publicKey });
    deps.keys.set(node);
    await store.appendAudit({ actor: `node:${node.id}`, action: 'node.enrolled', subject: node.id, details: { institutionId: node.institutionId, name: name ?? null } });
    request.log.info({ nodeId: node.id, institutionId: node.institutionId }, 'node enrolled');
    return { nodeId: node.id, institutionId: node.institutionId };
  });

  app.get('/api/v1/node/tasks', {
    logLevel: 'warn',
    schema: { tags: ['nodes'], summary: 'Long-poll for the messages waiting for this node (signed)', querystring: { type: 'object', properties: { waitMs: { type: 'integer', minimum: 0, maximum: 120_000 } } } },
  }, async (request, reply) => {
    const nodeId = authenticateNode(request, reply, deps);
    if (!nodeId) return reply;
    touch(nodeId);
    const waitMs = Math.min((request.query as { waitMs?: number }).waitMs ?? 25_000, deps.maxPollMs);
    const onClose = () => {
      if (!reply.raw.writableFinished) hub.dropPoll(nodeId);
    };
    reply.raw.once('close', onClose);
    const messages = await hub.poll(nodeId, waitMs);
    if (reply.raw.destroyed) {
      hub.requeue(nodeId, messages); // the node went away while waiting: keep its messages for its next poll
      return reply;
    }
    const body = encodeMessageBatch(messages);
    metrics.bytesSent.inc({ route: 'tasks' }, body.length);
    return reply.type('application/octet-stream').send(Buffer.from(body.buffer, body.byteOffset, body.byteLength));
  });

  app.post('/api/v1/node/replies', {
    logLevel: 'warn',
    bodyLimit: deps.maxReplyBytes,
    schema: { tags: ['nodes'], summary: 'Post the reply to one message (signed, binary wire format)' },
  }, async (request, reply) => {
    const nodeId = authenticateNode(request, reply, deps);
    if (!nodeId) return reply;
    touch(nodeId);
    const body = request.body as Buffer;
    const decoded = decodeReply(new Uint8Array(body.buffer, body.byteOffset, body.byteLength), { maxBytes: deps.maxReplyBytes });
    // what the node put on the wire: the body plus the request line and headers (signature etc.)
    const headerBytes = Object.entries(request.headers).reduce((s, [k, v]) => s + k.length + String(v).length + 4, request.method.length + request.url.length + 12);
    metrics.bytesReceived.inc({ route: 'replies', type: decoded.type.slice(0, 30) }, body.length + headerBytes);
    metrics.repliesReceived.inc({ type: decoded.type.slice(0, 30) });
    if (decoded.nodeId !== nodeId) {
      metrics.refused.inc({ code: 'WRONG_NODE' });
      request.log.warn({ nodeId, claimed: decoded.nodeId.slice(0, 100) }, 'reply claims another node');
      return reply.code(403).send({ error: 'wrong_node', message: 'a node may only post its own replies' });
    }
    const result = hub.deliver(nodeId, decoded);
    if (!result.accepted) {
      metrics.discardedReplies.inc({ reason: result.reason });
      request.log.info({ nodeId, jobId: decoded.jobId.slice(0, 100), round: decoded.round, type: decoded.type.slice(0, 50), reason: result.reason }, 'reply discarded');
    }
    return reply.code(202).send(result);
  });

  app.get('/api/v1/node/ws', {
    websocket: true,
    logLevel: 'warn',
    schema: {
      tags: ['nodes'],
      summary: 'Task channel over WebSocket (signed upgrade, then authenticated frames); long-polling /api/v1/node/tasks is the fallback',
      querystring: { type: 'object', additionalProperties: false, properties: { kx: { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$', description: "The node's ephemeral X25519 public key (base64url) for the per-connection frame MAC key; without it frames are Ed25519-signed" } } },
    },
    preValidation: async (request, reply) => {
      const nodeId = authenticateNode(request, reply, deps);
      if (!nodeId) return reply;
      const { kx } = request.query as { kx?: string };
      const exchangeKey = kx === undefined ? undefined : new Uint8Array(Buffer.from(kx, 'base64url'));
      if (exchangeKey !== undefined && !isFrameExchangeKey(exchangeKey)) {
        metrics.refused.inc({ code: 'BAD_KEY_EXCHANGE' });
        return reply.code(400).send({ error: 'bad_key_exchange', message: 'kx: expected a usable X25519 public key (32 bytes, base64url)' });
      }
      Object.assign(request, { fcNodeId: nodeId, fcExchangeKey: exchangeKey });
    },
  }, (socket: WebSocket, request) => {
    const { fcNodeId: nodeId, fcExchangeKey: exchangeKey } = request as unknown as { fcNodeId: string; fcExchangeKey?: Uint8Array };
    const nonce = randomBytes(32);
    let seq = 0;
    touch(nodeId);
    // frame types coordinator → node: 1 hello (connection nonce [+ key-exchange key]), 2 message batch
    let check: (expectedSeq: number, frame: Uint8Array) => { ok: true; body: Uint8Array } | { ok: false; code: FrameFailure };
    if (exchangeKey !== undefined) {
      const own = frameKeyExchange();
      const frameKey = deriveFrameKey(own.privateKey, exchangeKey, nonce, nodeId);
      own.privateKey.fill(0);
      check = (expectedSeq, frame) => verifyMacFrame(frameKey, expectedSeq, frame);
      socket.send(Buffer.concat([Buffer.from([1]), nonce, own.publicKey]));
    } else {
      const publicKey = publicKeyFromBase64(deps.keys.lookup(nodeId)!.publicKey);
      check = (expectedSeq, frame) => verifyFrame(publicKey, nonce, expectedSeq, frame);
      socket.send(Buffer.concat([Buffer.from([1]), nonce]));
    }
    const detach = hub.attachPush(nodeId, (messages) => {
      if (socket.readyState !== socket.OPEN) return false;
      const body = encodeMessageBatch(messages);
      metrics.bytesSent.inc({ route: 'ws' }, body.length + 1);
      socket.send(Buffer.concat([Buffer.from([2]), body]));
      return true;
    });
    const refuse = (code: string, message: string) => {
      metrics.refused.inc({ code });
      request.log.warn({ nodeId, code }, `closing task channel: ${message}`);
      socket.close(1008, code);
    };
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary) return refuse('FRAME_NOT_BINARY', 'text frame');
      if (!deps.keys.isAllowed(nodeId)) return refuse('REVOKED', 'node revoked');
      const frame = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      const checked = check(seq, frame);
      if (!checked.ok) return refuse(checked.code, 'bad frame');
      seq++;
      touch(nodeId);
      let decoded;
      try {
        decoded = decodeReply(checked.body, { maxBytes: deps.maxReplyBytes });
      } catch (err) {
        return refuse((err as { code?: string }).code ?? 'WIRE_BAD', (err as Error).message);
      }
      if (decoded.nodeId !== nodeId) return refuse('WRONG_NODE', 'reply claims another node');
      metrics.bytesReceived.inc({ route: 'ws', type: decoded.type.slice(0, 30) }, frame.length);
      metrics.repliesReceived.inc({ type: decoded.type.slice(0, 30) });
      const result = hub.deliver(nodeId, decoded);
      if (!result.accepted) {
        metrics.discardedReplies.inc({ reason: result.reason });
        request.log.info({ nodeId, jobId: decoded.jobId.slice(0, 100), round: decoded.round, type: decoded.type.slice(0, 50), reason: result.reason }, 'reply discarded');
      }
    });
    // a half-open connection (network gone, no FIN) must not keep the node "online"
    let alive = true;
    socket.on('pong', () => { alive = true; });
    const heartbeat = setInterval(() => {
      if (!alive) { socket.terminate(); return; }
      alive = false;
      socket.ping();
    }, 15_000);
    socket.on('close', () => { clearInterval(heartbeat); detach(); });
    socket.on('error', () => detach());
  });

  app.get('/api/v1/node/model', {
    schema: { tags: ['nodes'], summary: 'The newest approved model for a dataset key (signed)', querystring: { type: 'object', required: ['datasetKey'], properties: { datasetKey: { type: 'string', maxLength: 200 } } } },
  }, async (request, reply) => {
    const nodeId = authenticateNode(request, reply, deps);
    if (!nodeId) return reply;
    const { datasetKey } = request.query as { datasetKey: string };
    const approved = (await store.listModelVersions({ status: 'approved' })).filter((m) => m.meta.datasetKey === datasetKey).sort((a, b) => b.updatedAt - a.updatedAt || b.createdAt - a.createdAt);
    const model = approved[0];
    if (!model) return reply.code(404).send({ error: 'no_model', message: `no approved model for dataset "${datasetKey}" yet` });
    return { id: model.id, jobId: model.jobId, version: model.version, meta: model.meta, parameters: Buffer.from(model.parameters).toString('base64') };
  });
}
