import { describe, expect, it } from 'vitest';
import { inspect } from 'node:util';
import vectors from '../vectors/paillier.json' with { type: 'json' };
import { PaillierPrivateKey } from '../../src/he/keys.js';
import { KeyHolder, createKeyHolder } from '../../src/he/keyShare.js';
import { addCiphertextVectors, encryptVector } from '../../src/he/packing.js';
import { parsePrivateKey, parsePublicKey } from '../../src/he/serialize.js';

const hex = (s: string): bigint => BigInt('0x' + s);
const opts = { clip: 1, scaleBits: 12, maxParties: 8 };

describe('KeyHolder', () => {
  const holder = new KeyHolder(PaillierPrivateKey.fromPrimes(hex(vectors.key512.p), hex(vectors.key512.q)));

  it('runs the flow: nodes encrypt under the published key, the coordinator adds, the holder returns the sum', () => {
    // What the coordinator and nodes receive is only the public key JSON.
    const parsed = parsePublicKey(JSON.parse(JSON.stringify(holder.publicKeyJson())), { minBits: 512 });
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const pub = parsed.value;
    const updates = [
      [0.25, -0.5, 0.125],
      [0.5, 0.5, -0.25],
      [-0.125, 0.25, 0.75],
    ];
    const aggregate = addCiphertextVectors(pub, updates.map((u) => encryptVector(pub, u, opts)));
    expect(Array.from(holder.decryptAggregate(aggregate, { numParties: 3 }))).toEqual([0.625, 0.25, 0.625]);
  });

  it('refuses to decrypt a single party’s vector (below minParties)', () => {
    const single = encryptVector(holder.publicKey, [0.5], opts);
    expect(() => holder.decryptAggregate(single, { numParties: 1 })).toThrow(RangeError);
    expect(() => new KeyHolder({} as PaillierPrivateKey)).toThrow(TypeError);
    expect(() => new KeyHolder(PaillierPrivateKey.fromPrimes(17n, 19n), { minParties: 0 })).toThrow(RangeError);
  });

  it('never shows the private key through JSON.stringify or util.inspect', () => {
    const text = JSON.stringify(holder) + inspect(holder, { depth: 5 });
    expect(text).not.toContain(vectors.key512.p);
    expect(text).not.toContain(vectors.key512.q);
    expect(text).not.toContain(BigInt('0x' + vectors.key512.p).toString());
  });

  it('exports the private key only through the explicit storage method', () => {
    const restored = parsePrivateKey(holder.privateKeyJsonForStorage(), { minBits: 512 });
    expect(restored.ok && restored.value.publicKey.n).toBe(holder.publicKey.n);
  });

  it('createKeyHolder generates a fresh key of the requested size', () => {
    const fresh = createKeyHolder({ numBits: 512, minParties: 2 });
    expect(fresh.publicKey.numBits).toBe(512);
    const pub = fresh.publicKey;
    const agg = addCiphertextVectors(pub, [encryptVector(pub, [1], opts), encryptVector(pub, [-0.5], opts)]);
    expect(Array.from(fresh.decryptAggregate(agg, { numParties: 2 }))).toEqual([0.5]);
  });
});
