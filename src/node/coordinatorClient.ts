/**
 * A node's connection to the coordinator. Every request is outbound and, after enrollment,
 * signed with the node's Ed25519 key; messages and replies travel in the binary wire format.
 */
import { signRequest } from '../auth/index.js';
import { FedCreditError } from '../errors.js';
import { decodeMessageBatch, encodeReply } from '../protocol/codec.js';
import type { Message, Reply } from '../protocol/message.js';
import { HttpClient, type HttpClientOptions } from './http.js';

/** The coordinator refused or failed a request. */
export class CoordinatorError extends FedCreditError {
  readonly status: number;
  constructor(status: number, code: string, message: string) {
    super(code, message);
    this.status = status;
  }
}

/** A model version as served to nodes. */
export interface ServedModel {
  readonly id: string;
  readonly jobId: string;
  readonly version: number;
  readonly meta: Record<string, unknown>;
  readonly parameters: Float64Array;
}

export class CoordinatorClient {
  private readonly http: HttpClient;
  private readonly identity: { nodeId: string; privateKeyPem: string };

  constructor(baseUrl: string, identity: { nodeId: string; privateKeyPem: string }, options: HttpClientOptions = {}) {
    this.http = new HttpClient(baseUrl, options);
    this.identity = identity;
  }

  /** Enroll with a one-time token (the only unsigned node request). */
  static async enroll(baseUrl: string, input: { token: string; publicKey: string; name?: string }, options: HttpClientOptions = {}): Promise<{ nodeId: string; institutionId: string }> {
    const http = new HttpClient(baseUrl, options);
    try {
      const res = await http.request('POST', '/api/v1/enroll', { headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(input)) });
      const body = parseJson(res.body);
      if (res.status !== 200) throw new CoordinatorError(res.status, String(body.error ?? 'enroll_failed').toUpperCase(), `enrollment refused: ${String(body.message ?? res.status)}`);
      return { nodeId: String(body.nodeId), institutionId: String(body.institutionId) };
    } finally {
      http.close();
    }
  }

  /** Long-poll for messages (empty when none arrived within waitMs). */
  async pollTasks(waitMs: number, signal?: AbortSignal): Promise<Message[]> {
    const path = `/api/v1/node/tasks?waitMs=${Math.round(waitMs)}`;
    const res = await this.signed('GET', path, new Uint8Array(0), { timeoutMs: waitMs + 15_000, signal });
    return decodeMessageBatch(new Uint8Array(res.body.buffer, res.body.byteOffset, res.body.byteLength));
  }

  /** Post a reply; resolves with whether the coordinator still wanted it. */
  async postReply(reply: Reply): Promise<{ accepted: boolean; reason?: string }> {
    const body = encodeReply(reply);
    const res = await this.signed('POST', '/api/v1/node/replies', body, { contentType: 'application/octet-stream' });
    return parseJson(res.body) as { accepted: boolean; reason?: string };
  }

  /** The newest approved model for a dataset, or undefined if there is none yet. */
  async fetchModel(datasetKey: string): Promise<ServedModel | undefined> {
    const res = await this.signed('GET', `/api/v1/node/model?datasetKey=${encodeURIComponent(datasetKey)}`, new Uint8Array(0), { allow404: true });
    if (res.status === 404) return undefined;
    const body = parseJson(res.body);
    const bytes = Buffer.from(String(body.parameters), 'base64');
    if (bytes.length % 8 !== 0) throw new CoordinatorError(res.status, 'BAD_MODEL', 'model parameters are not a whole number of float64 values');
    const parameters = new Float64Array(bytes.length / 8);
    for (let i = 0; i < parameters.length; i++) parameters[i] = bytes.readDoubleLE(i * 8);
    return { id: String(body.id), jobId: String(body.jobId), version: Number(body.version), meta: body.meta as Record<string, unknown>, parameters };
  }

  close(): void {
    this.http.close();
  }

  private async signed(method: string, path: string, body: Uint8Array, options: { contentType?: string; timeoutMs?: number; signal?: AbortSignal; allow404?: boolean } = {}) {
    const headers = signRequest({ method, path, body, nodeId: this.identity.nodeId, privateKeyPem: this.identity.privateKeyPem });
    if (options.contentType) headers['content-type'] = options.contentType;
    const res = await this.http.request(method, path, { headers, body: method === 'GET' ? undefined : body, timeoutMs: options.timeoutMs, signal: options.signal });
    if (res.status >= 400 && !(options.allow404 && res.status === 404)) {
      const parsed = parseJson(res.body);
      throw new CoordinatorError(res.status, String(parsed.error ?? `HTTP_${res.status}`).toUpperCase(), `${method} ${path.split('?')[0]}: ${res.status} ${String(parsed.message ?? '')}`);
    }
    return res;
  }
}

function parseJson(body: Buffer): Record<string, unknown> {
  try {
    const v = JSON.parse(body.toString('utf8'));
    return typeof v === 'object' && v !== null ? v : {};
  } catch {
    return {};
  }
}
