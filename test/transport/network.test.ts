/**
 * The networked transport (coordinator-side NodeHub behind the real HTTP service, node-side
 * signed long-polling over loopback) passes the same conformance suite as the in-process one.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { generateNodeKeyPair } from '../../src/auth/index.js';
import { buildCoordinatorApp } from '../../src/coordinator/server/app.js';
import { CoordinatorClient } from '../../src/node/coordinatorClient.js';
import { openWsChannel } from '../../src/node/wsChannel.js';
import { openStore } from '../../src/store/index.js';
import type { NodeEndpoint } from '../../src/transport/inProcess.js';
import type { Transport } from '../../src/transport/transport.js';
import { transportConformance } from './conformance.js';

const networked = (mode: 'long-poll' | 'websocket') => async (nodes: Map<string, NodeEndpoint>): Promise<Transport> => {
  const store = await openStore(join(mkdtempSync(join(tmpdir(), 'fedcredit-net-')), 'fedcredit.db'));
  const institution = await store.createInstitution({ name: 'test' });
  const identities = new Map<string, { nodeId: string; privateKeyPem: string }>();
  for (const id of nodes.keys()) {
    const pair = generateNodeKeyPair();
    await store.registerNode({ institutionId: institution.id, publicKey: pair.publicKey, id });
    identities.set(id, { nodeId: id, privateKeyPem: pair.privateKeyPem });
  }
  const { app, hub } = await buildCoordinatorApp({ store, adminToken: 'test-admin-token', logger: pino({ level: 'silent' }) });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  let running = true;
  const clients: CoordinatorClient[] = [];
  const abort = new AbortController();
  const channels: { close(): void }[] = [];
  for (const [id, endpoint] of nodes) {
    if (mode === 'websocket') {
      // replies are sent as each message is answered (a never-answering endpoint must not block the others)
      const { privateKeyPem } = identities.get(id)!;
      const channel = await openWsChannel({
        baseUrl: url, nodeId: id, privateKeyPem,
        onMessage: (m) => Promise.race([endpoint.handle(m), new Promise<undefined>((r) => setTimeout(() => r(undefined), 5000))]),
      });
      channels.push(channel);
      continue;
    }
    const client = new CoordinatorClient(url, identities.get(id)!);
    clients.push(client);
    void (async () => {
      while (running) {
        try {
          const messages = await client.pollTasks(1000, abort.signal);
          for (const m of messages) void endpoint.handle(m).then((r) => (running ? client.postReply(r) : undefined)).catch(() => undefined);
        } catch {
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    })();
  }
  // wait until every node has polled once
  for (let i = 0; i < 100 && (await hub.nodeIds()).length < nodes.size; i++) await new Promise((r) => setTimeout(r, 20));
  return {
    nodeIds: () => hub.nodeIds(),
    sendAndReceive: (messages, options) => hub.sendAndReceive(messages, options),
    async close() {
      running = false;
      abort.abort();
      for (const c of clients) c.close();
      for (const c of channels) c.close();
      await app.close();
      await store.close();
    },
  };
};

transportConformance('networked (HTTP long-poll, signed requests)', networked('long-poll'));
transportConformance('networked (WebSocket, signed frames)', networked('websocket'));
