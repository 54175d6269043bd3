/**
 * Authentication of node requests: every request after enrollment is signed with the node's
 * Ed25519 key over (method, path, timestamp, nonce, body digest). Unsigned, replayed, stale,
 * revoked or forged requests are refused with 401/403 and logged (without secrets).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { NonceCache, verifyRequest } from '../../auth/index.js';
import type { NodeRecord, Store } from '../../store/index.js';
import type { CoordinatorMetrics } from './metrics.js';

/** Keeps node public keys in memory (refreshed from the store on a miss and on revocation). */
export class NodeKeyCache {
  private readonly keys = new Map<string, { publicKey: string; revoked: boolean }>();
  constructor(private readonly store: Store) {}

  async load(): Promise<void> {
    for (const n of await this.store.listNodes({ includeRevoked: true })) this.set(n);
  }

  set(node: NodeRecord): void {
    this.keys.set(node.id, { publicKey: node.publicKey, revoked: node.revokedAt !== undefined });
  }

  lookup(nodeId: string): { publicKey: string; revoked: boolean } | undefined {
    return this.keys.get(nodeId);
  }

  isAllowed(nodeId: string): boolean {
    const k = this.keys.get(nodeId);
    return k !== undefined && !k.revoked;
  }
}

/** Verify the signature of a node request; on failure answer 401/403 and return undefined. */
export function authenticateNode(request: FastifyRequest, reply: FastifyReply, deps: { keys: NodeKeyCache; nonces: NonceCache; metrics: CoordinatorMetrics }): string | undefined {
  const body = request.body instanceof Uint8Array ? request.body : new Uint8Array(0);
  const result = verifyRequest({
    method: request.method, path: request.url, headers: request.headers as Record<string, string | string[] | undefined>, body,
    lookupKey: (id) => deps.keys.lookup(id), nonces: deps.nonces,
  });
  if (result.ok) return result.nodeId;
  deps.metrics.refused.inc({ code: result.code });
  const nodeHeader = request.headers['x-fc-node'];
  request.log.warn({ code: result.code, node: typeof nodeHeader === 'string' ? nodeHeader.slice(0, 100) : undefined, url: request.url }, `refused node request: ${result.message}`);
  const status = result.code === 'REVOKED' ? 403 : 401;
  void reply.code(status).send({ error: result.code.toLowerCase(), message: result.message });
  return undefined;
}
