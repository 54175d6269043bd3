/**
 * The node's WebSocket task channel to the coordinator: one outbound connection, opened with a
 * signed upgrade request; the coordinator pushes message batches as soon as a round needs the
 * node, and the node answers with signed frames (see src/auth/frames.ts). Long-polling
 * (coordinatorClient.ts) remains the fallback where a proxy does not pass WebSockets.
 */
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { privateKeyFromPem, signFrame, signRequest } from '../auth/index.js';
import { decodeMessageBatch, encodeReply } from '../protocol/codec.js';
import type { Message, Reply } from '../protocol/message.js';

export interface WsChannelOptions {
  readonly baseUrl: string;
  readonly nodeId: string;
  readonly privateKeyPem: string;
  readonly caFile?: string;
  /** Called with each batch the coordinator pushes; its replies are sent back in order. */
  readonly onMessages: (messages: Message[]) => Promise<Reply[]>;
}

/**
 * Open the channel; resolves once the coordinator's hello arrived, rejects if the upgrade is
 * refused. `closed` resolves when the connection ends (then reconnect).
 */
export async function openWsChannel(options: WsChannelOptions): Promise<{ closed: Promise<number>; close(): void }> {
  const url = new URL('/api/v1/node/ws', options.baseUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  const headers = signRequest({ method: 'GET', path: '/api/v1/node/ws', body: new Uint8Array(0), nodeId: options.nodeId, privateKeyPem: options.privateKeyPem });
  const socket = new WebSocket(url, { headers, ca: options.caFile ? readFileSync(options.caFile) : undefined, maxPayload: 64 * 2 ** 20 + 1024 });
  const key = privateKeyFromPem(options.privateKeyPem);
  let nonce: Uint8Array | undefined;
  let seq = 0;
  let chain = Promise.resolve();
  const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    socket.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`task channel refused: HTTP ${res.statusCode}`), { status: res.statusCode })));
    socket.once('error', reject);
    socket.on('message', (data: Buffer) => {
      const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      if (bytes[0] === 1 && bytes.length === 33) {
        nonce = bytes.slice(1);
        resolve();
        return;
      }
      if (bytes[0] !== 2 || !nonce) return;
      const messages = decodeMessageBatch(bytes.subarray(1));
      // answer batches in arrival order; a slow batch delays the next, as a node's CPU would
      chain = chain.then(async () => {
        const replies = await options.onMessages(messages);
        for (const r of replies) {
          if (socket.readyState !== WebSocket.OPEN) return;
          socket.send(signFrame(key, nonce!, seq++, encodeReply(r)));
        }
      }).catch(() => socket.terminate());
    });
  });
  socket.on('error', () => undefined); // 'close' follows
  return { closed, close: () => socket.close(1000) };
}
