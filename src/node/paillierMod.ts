/**
 * Paillier aggregation at the node (see src/he/protocol.ts for the stages): takes part in the
 * job's key set-up (as dealer or holder of one decryption-exponent share), encrypts the
 * contribution of every summed message (train, evaluate, stats) sent inside a Paillier session
 * instead of answering in the clear, and partially decrypts each aggregate once. Handlers do
 * not know Paillier exists. Every request is untrusted: shapes, sizes and the stage order are
 * checked, and a node never decrypts twice for one sum nor an "aggregate" of fewer than two
 * contributions.
 */
import { setNewest } from '../boundedMap.js';
import { generateX25519KeyPair, type X25519KeyPair } from '../secagg/crypto.js';
import { generateKeyPair } from '../he/keys.js';
import { PaillierPublicKey } from '../he/keys.js';
import { encryptVector, checkEncryptedVector } from '../he/packing.js';
import { openShare, partialDecryptWith, sealShare, splitDecryptionExponent } from '../he/distributed.js';
import { bigintToHex, bitLength, hexToBigint } from '../he/bigint.js';
import { RandomnessPool } from '../he/randomness.js';
import { encryptedVectorToJson, parseEncryptedVector } from '../he/serialize.js';
import { MAX_PAILLIER_KEY_BITS, shareAssociatedData, shareSealingKey, type PaillierEncoding } from '../he/protocol.js';
import { contributionOf, isSummedType } from '../protocol/contributions.js';
import { readString, ProtocolError } from '../protocol/config.js';
import { replyTo, type Message, type Reply } from '../protocol/message.js';

/** Key sessions a node keeps at most (old ones are forgotten first). */
const MAX_SESSIONS = 16;
/** Sums a session remembers having decrypted. */
const MAX_SUMS = 10_000;

interface Session {
  readonly holders: readonly string[];
  readonly dealer: string;
  readonly keyBits: number;
  readonly exchange: X25519KeyPair;
  publicKey?: PaillierPublicKey;
  share?: bigint;
  pool?: RandomnessPool;
  readonly decrypted: Set<string>;
}

export interface PaillierModOptions {
  /**
   * Smallest modulus this node accepts: default 2048, or the FEDCREDIT_PAILLIER_MIN_KEY_BITS
   * environment variable when it is an integer ≥ 1024 (so a test federation can run 1024-bit
   * jobs); in-process tests may pass less.
   */
  readonly minKeyBits?: number;
}

function defaultMinKeyBits(): number {
  const fromEnv = Number(process.env.FEDCREDIT_PAILLIER_MIN_KEY_BITS);
  return Number.isInteger(fromEnv) && fromEnv >= 1024 ? fromEnv : 2048;
}

const fail = (message: string, code = 'PAILLIER_MALFORMED'): never => { throw new ProtocolError(`paillier: ${message}`, code); };
const record = (value: unknown, what: string): Record<string, unknown> =>
  (typeof value === 'object' && value !== null && !Array.isArray(value) ? value as Record<string, unknown> : fail(`${what}: expected an object`));
const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
const bytesOf = (value: unknown, what: string, max = 4096): Uint8Array => {
  if (typeof value !== 'string' || value.length > max || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) fail(`${what}: expected base64`);
  return new Uint8Array(Buffer.from(value as string, 'base64'));
};
const nodeIdList = (value: unknown): string[] => {
  if (!Array.isArray(value) || value.length < 2 || value.length > 10_000) fail('holders: expected 2 to 10000 node ids');
  const list = value as unknown[];
  if (!list.every((x) => typeof x === 'string' && x.length > 0 && x.length <= 200) || new Set(list).size !== list.length) fail('holders: expected distinct node ids');
  return list as string[];
};

/** Parse the encoding a summed message asks for. */
function readEncoding(message: Message, minParties: number): PaillierEncoding {
  let raw: unknown;
  try { raw = JSON.parse(readString(message.config, 'paillierEncoding', { maxLength: 1000 })); } catch { fail('paillierEncoding: expected JSON'); }
  const e = record(raw, 'paillierEncoding');
  const num = (k: string, ok: (v: number) => boolean) => (typeof e[k] === 'number' && ok(e[k] as number) ? e[k] as number : fail(`paillierEncoding.${k}: out of range`));
  return {
    clip: num('clip', (v) => v > 0 && Number.isFinite(v)),
    scaleBits: num('scaleBits', (v) => Number.isInteger(v) && v >= 0 && v <= 52),
    maxParties: num('maxParties', (v) => Number.isInteger(v) && v >= minParties && v <= 10_000),
    weightScale: num('weightScale', (v) => v > 0 && Number.isFinite(v)),
  };
}

/** The Paillier mod (composed into secAggMod, so it sits where secure aggregation does). */
export function paillierMod(options: PaillierModOptions = {}) {
  const minKeyBits = options.minKeyBits ?? defaultMinKeyBits();
  const sessions = new Map<string, Session>();
  const idOf = (message: Message) => `${message.jobId}/${readString(message.config, 'paillierSession', { maxLength: 300 })}`;
  const sessionOf = (message: Message): Session => sessions.get(idOf(message)) ?? fail(`no Paillier session ${idOf(message)} at this node`, 'PAILLIER_UNKNOWN_SESSION');
  const ready = (s: Session): { publicKey: PaillierPublicKey; share: bigint } =>
    (s.publicKey && s.share !== undefined ? { publicKey: s.publicKey, share: s.share } : fail('the session has no key yet', 'PAILLIER_WRONG_STAGE'));

  const stage = (message: Message, s: Record<string, unknown>): Record<string, unknown> => {
    const self = message.nodeId;
    if (s.stage === 'keys') {
      const holders = nodeIdList(s.holders);
      const keyBits = s.keyBits;
      if (typeof keyBits !== 'number' || !Number.isInteger(keyBits) || keyBits < minKeyBits || keyBits > MAX_PAILLIER_KEY_BITS) fail(`keyBits: this node accepts ${minKeyBits} to ${MAX_PAILLIER_KEY_BITS} bits`, 'PAILLIER_REFUSED');
      if (typeof s.dealer !== 'string' || !holders.includes(s.dealer) || !holders.includes(self)) fail('dealer and this node must be holders');
      const id = idOf(message);
      if (sessions.has(id)) fail(`session ${id} exists already`, 'PAILLIER_WRONG_STAGE');
      setNewest(sessions, id, { holders, dealer: s.dealer as string, keyBits: keyBits as number, exchange: generateX25519KeyPair(), decrypted: new Set<string>() }, MAX_SESSIONS);
      return { stage: 'keys', publicKey: b64(sessions.get(id)!.exchange.publicKey) };
    }
    const session = sessionOf(message);
    const sessionName = readString(message.config, 'paillierSession', { maxLength: 300 });
    if (s.stage === 'deal') {
      if (session.dealer !== self || session.publicKey) fail('this node is not the dealer of the session, or dealt already', 'PAILLIER_WRONG_STAGE');
      const keys = record(s.publicKeys, 'publicKeys');
      const { privateKey, publicKey } = generateKeyPair({ numBits: session.keyBits });
      const shares = splitDecryptionExponent(privateKey, session.holders.length);
      const boxes: Record<string, string> = {};
      session.holders.forEach((holder, i) => {
        if (holder === self) return;
        const key = shareSealingKey(session.exchange.privateKey, bytesOf(keys[holder], `publicKeys.${holder}`, 100), sessionName, holder);
        boxes[holder] = b64(sealShare(key, shares[i], shareAssociatedData(sessionName, holder)));
        key.fill(0);
      });
      session.publicKey = publicKey;
      session.share = shares[session.holders.indexOf(self)];
      // the private key goes out of scope here: nothing keeps p, q or λ
      return { stage: 'deal', n: bigintToHex(publicKey.n), dealerKey: b64(session.exchange.publicKey), boxes };
    }
    if (s.stage === 'share') {
      if (session.dealer === self || session.publicKey) fail('this node deals or holds its share already', 'PAILLIER_WRONG_STAGE');
      if (typeof s.n !== 'string' || !/^[0-9a-f]{1,2048}$/.test(s.n)) fail('n: expected hex');
      const n = hexToBigint(s.n as string);
      if (n % 2n === 0n || bitLength(n) < session.keyBits - 1) fail(`n: expected an odd ${session.keyBits}-bit modulus`, 'PAILLIER_REFUSED');
      const key = shareSealingKey(session.exchange.privateKey, bytesOf(s.dealerKey, 'dealerKey', 100), sessionName, self);
      let share: bigint;
      try { share = openShare(key, bytesOf(s.box, 'box'), shareAssociatedData(sessionName, self)); } catch (e) { return fail((e as Error).message, 'PAILLIER_REFUSED'); } finally { key.fill(0); }
      session.publicKey = new PaillierPublicKey(n);
      session.share = share;
      return { stage: 'share', keyId: session.publicKey.keyId };
    }
    if (s.stage === 'decrypt') {
      const { publicKey, share } = ready(session);
      if (typeof s.sumId !== 'string' || s.sumId.length < 8 || s.sumId.length > 200) fail('sumId: expected a string');
      if (session.decrypted.has(s.sumId as string)) fail(`sum ${String(s.sumId)} was decrypted already`, 'PAILLIER_REFUSED');
      const parsed = parseEncryptedVector(publicKey, s.aggregate);
      if (!parsed.ok) fail(`aggregate: ${parsed.issues.map((i) => `${i.path} ${i.message}`).join('; ')}`);
      const aggregate = parsed.ok ? parsed.value : fail('aggregate');
      if (aggregate.numParties < 2) fail('an aggregate of fewer than 2 contributions is not decrypted', 'PAILLIER_REFUSED');
      if (session.decrypted.size >= MAX_SUMS) fail('too many sums in this session', 'PAILLIER_REFUSED');
      session.decrypted.add(s.sumId as string);
      return { stage: 'decrypt', partials: aggregate.ciphertexts.map((c) => bigintToHex(partialDecryptWith(publicKey, share, c))) };
    }
    return fail('unknown stage');
  };

  return async (message: Message, next: (m: Message) => Promise<Reply>): Promise<Reply> => {
    if (message.type === 'paillier') {
      let payload: unknown;
      try { payload = JSON.parse(readString(message.config, 'paillier', { maxLength: 64 * 2 ** 20 })); } catch (e) { if (e instanceof ProtocolError) throw e; fail('expected JSON'); }
      return replyTo(message, { config: { paillier: JSON.stringify(stage(message, record(payload, 'payload'))) } });
    }
    if (message.config.paillierSession === undefined || !isSummedType(message.type)) return next(message);
    const session = sessionOf(message);
    const { publicKey } = ready(session);
    const encoding = readEncoding(message, 1);
    const plain = await next(message);
    if (plain.error) return plain;
    const contribution = Float64Array.from(contributionOf(plain, encoding.weightScale));
    const bounds = message.arrays.paillierBounds;
    if (bounds !== undefined) {
      if (!(bounds instanceof Float64Array) || bounds.length !== contribution.length) fail(`arrays.paillierBounds: expected ${contribution.length} values`);
      for (let i = 0; i < contribution.length; i++) {
        if (!(bounds[i] > 0) || !Number.isFinite(bounds[i])) fail(`arrays.paillierBounds[${i}]: expected a finite number > 0`);
        contribution[i] /= bounds[i];
      }
    }
    session.pool ??= new RandomnessPool(publicKey, { mode: 'djn' });
    const encrypted = encryptVector(publicKey, contribution, { clip: encoding.clip, scaleBits: encoding.scaleBits, maxParties: encoding.maxParties, pool: session.pool });
    checkEncryptedVector(publicKey, encrypted);
    // metadata that is not secret (how many examples, the local loss) travels in the clear
    const { numExamples, loss, numRows } = plain.config;
    const meta = Object.fromEntries(Object.entries({ numExamples, loss, numRows }).filter(([, v]) => v !== undefined)) as Record<string, number>;
    return replyTo(message, { config: { ...meta, paillier: JSON.stringify(encryptedVectorToJson(publicKey, encrypted)) } });
  };
}
