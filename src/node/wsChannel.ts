/**
 * The node's WebSocket task channel to the coordinator: one outbound connection, opened with a
 * signed upgrade request; the coordinator pushes message batches as soon as a round needs the
 * node, and the node answers with signed frames (see src/auth/frames.ts). Long-polling
 * (coordinatorClient.ts) remains the fallback where a proxy does not pass WebSockets.
 */
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { deriveFrameKey, frameKeyExchange, isFrameExchangeKey, macFrame, privateKeyFromPem, signFrame, signRequest } from '../auth/index.js';
import { decodeMessageBatch, encodeReply } from '../protocol/codec.js';
import type { Message, Reply } from '../protocol/message.js';

export interface WsChannelOptions {
  readonly baseUrl: string;
  readonly nodeId: string;
  readonly privateKeyPem: string;
  readonly caFile?: string;
  /**
   * Called with each message the coordinator pushes, in order; each reply is sent as soon as it
   * is ready (`undefined`: nothing to send, the coordinator's deadline will pass).
   */
  readonly onMessage: (message: Message) => Promise<Reply | undefined>;
}

/**
 * Open the channel; resolves once the coordinator's hello arrived, rejects if the upgrade is
 * refused. `closed` resolves when the connection ends (then reconnect).
 */
export async function openWsChannel(options: WsChannelOptions): Promise<{ closed: Promise<number>; close(): void }> {
  const exchange = frameKeyExchange();
  const path = `/api/v1/node/ws?kx=${Buffer.from(exchange.publicKey).toString('base64url')}`;
  const url = new URL(path, options.baseUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  const headers = signRequest({ method: 'GET', path, body: new Uint8Array(0), nodeId: options.nodeId, privateKeyPem: options.privateKeyPem });
  const socket = new WebSocket(url, { headers, ca: options.caFile ? readFileSync(options.caFile) : undefined, maxPayload: 64 * 2 ** 20 + 1024 });
  const key = privateKeyFromPem(options.privateKeyPem);
  /** How frames are authenticated, fixed by the hello. */
  let authenticate: ((seq: number, body: Uint8Array) => Uint8Array) | undefined;
  let seq = 0;
  let chain = Promise.resolve();
  const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    socket.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`task channel refused: HTTP ${res.statusCode}`), { status: res.statusCode })));
    socket.once('error', reject);
    socket.on('message', (data: Buffer) => {
      const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      if (bytes[0] === 1 && !authenticate) {
        // hello: connection nonce, and the coordinator's key-exchange key (V2) or nothing (V1)
        const nonce = bytes.slice(1, 33);
        if (bytes.length === 65 && isFrameExchangeKey(bytes.subarray(33))) {
          const frameKey = deriveFrameKey(exchange.privateKey, bytes.subarray(33), nonce, options.nodeId);
          exchange.privateKey.fill(0);
          authenticate = (n, body) => macFrame(frameKey, n, body);
        } else if (bytes.length === 33) {
          authenticate = (n, body) => signFrame(key, nonce, n, body);
        } else {
          socket.terminate();
          reject(new Error('task channel: malformed hello from the coordinator'));
          return;
        }
        resolve();
        return;
      }
      if (bytes[0] !== 2 || !authenticate) return;
      const messages = decodeMessageBatch(bytes.subarray(1));
      // answer messages in arrival order, each reply as soon as it is ready (a batch of an
      // evaluation and the next round's training: the coordinator commits the evaluated round
      // while the node trains); a slow message delays the next, as a node's CPU would
      chain = chain.then(async () => {
        for (const m of messages) {
          const reply = await options.onMessage(m);
          if (reply === undefined) continue;
          if (socket.readyState !== WebSocket.OPEN) return;
          socket.send(authenticate!(seq++, encodeReply(reply)));
        }
      }).catch(() => socket.terminate());
    });
  });
  socket.on('error', () => undefined); // 'close' follows
  return { closed, close: () => socket.close(1000) };
}
