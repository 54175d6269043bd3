/**
 * A node's identity on disk: its Ed25519 key (PKCS#8 PEM, mode 0600, never sent anywhere) and
 * the node id the coordinator assigned at enrollment. Enrollment happens once, with the
 * one-time token an administrator issued to the institution.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateNodeKeyPair } from '../auth/index.js';
import { ConfigError } from '../errors.js';
import { CoordinatorClient } from './coordinatorClient.js';
import type { HttpClientOptions } from './http.js';

export interface NodeIdentity {
  readonly nodeId: string;
  readonly institutionId: string;
  readonly publicKey: string;
  readonly privateKeyPem: string;
  readonly coordinator: string;
}

const KEY_FILE = 'node-key.pem';
const IDENTITY_FILE = 'identity.json';

/** Load the identity from `dataDir`, enrolling first (with `token`) if there is none. */
export async function ensureIdentity(options: { dataDir: string; coordinator: string; token?: string; name: string; http?: HttpClientOptions }): Promise<{ identity: NodeIdentity; enrolled: boolean }> {
  const { dataDir } = options;
  mkdirSync(dataDir, { recursive: true });
  const identityPath = join(dataDir, IDENTITY_FILE);
  const keyPath = join(dataDir, KEY_FILE);
  if (existsSync(identityPath) && existsSync(keyPath)) {
    const saved = JSON.parse(readFileSync(identityPath, 'utf8')) as Omit<NodeIdentity, 'privateKeyPem'>;
    if (saved.coordinator !== options.coordinator) {
      throw new ConfigError(`this node is enrolled with ${saved.coordinator}, not ${options.coordinator}; use another data directory to join another federation`);
    }
    return { identity: { ...saved, privateKeyPem: readFileSync(keyPath, 'utf8') }, enrolled: false };
  }
  if (!options.token) throw new ConfigError(`this node is not enrolled yet: give the one-time enrollment token (--token, enrollmentToken in the config, or FEDCREDIT_ENROLLMENT_TOKEN)`);
  // keep the key across a failed enrollment attempt, so a retry uses the same key
  let privateKeyPem: string;
  let publicKey: string;
  if (existsSync(keyPath) && existsSync(`${keyPath}.pub`)) {
    privateKeyPem = readFileSync(keyPath, 'utf8');
    publicKey = readFileSync(`${keyPath}.pub`, 'utf8').trim();
  } else {
    const pair = generateNodeKeyPair();
    privateKeyPem = pair.privateKeyPem;
    publicKey = pair.publicKey;
    writeAtomic(keyPath, privateKeyPem, 0o600);
    writeAtomic(`${keyPath}.pub`, `${publicKey}\n`, 0o644);
  }
  const { nodeId, institutionId } = await CoordinatorClient.enroll(options.coordinator, { token: options.token, publicKey, name: options.name }, options.http);
  const identity = { nodeId, institutionId, publicKey, coordinator: options.coordinator };
  writeAtomic(identityPath, `${JSON.stringify(identity, null, 2)}\n`, 0o644);
  return { identity: { ...identity, privateKeyPem }, enrolled: true };
}

function writeAtomic(path: string, content: string, mode: number): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, content, { mode });
  renameSync(tmp, path);
}
