import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildGraph, neighbours } from '../../src/secagg/graph.js';
import { quantize } from '../../src/secagg/quantize.js';
import { maskInput, unmask } from '../../src/secagg/client.js';
import { reconstruct } from '../../src/secagg/reconstruct.js';
import { sumMasked } from '../../src/secagg/server.js';
import { secureSum } from '../../src/secagg/simulate.js';
import { ringSum, runSession } from './driver.js';
import { CHI2_255_P1E6, chiSquareUniform } from './stats.js';

/** Random inputs plus a split of at most `maxDrops` clients into the three dropout moments. */
const scenario = (n: number, m: number, maxDrops: number) =>
  fc.record({
    vectors: fc.array(fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: m, maxLength: m }), { minLength: n, maxLength: n }),
    drops: fc.shuffledSubarray(Array.from({ length: n }, (_, i) => i), { minLength: 0, maxLength: maxDrops }),
    cuts: fc.tuple(fc.nat(), fc.nat()),
  });

function splitDrops(drops: number[], [a, b]: [number, number]): [number[], number[], number[]] {
  const x = drops.length === 0 ? 0 : a % (drops.length + 1);
  const y = drops.length === 0 ? 0 : x + (b % (drops.length - x + 1));
  return [drops.slice(0, x), drops.slice(x, y), drops.slice(y)];
}

async function checkExactSum(vectors: Float64Array[], options: Parameters<typeof secureSum>[1]): Promise<void> {
  const result = await secureSum(vectors, options);
  const gone = new Set([...(options.dropoutsBeforeSharing ?? []), ...(options.dropoutsBeforeMasking ?? [])]);
  const included = vectors.map((_, i) => i).filter((i) => !gone.has(i));
  expect(result.included).toEqual(included);
  expect(result.rejected).toEqual([]);
  const plain = ringSum(included.map((i) => quantize(vectors[i], result.quantization)), result.quantization.ringBits);
  expect(result.quantizedSum).toEqual(plain);
}

describe('masked sum equals the plain (quantized) sum', () => {
  it('classic SecAgg, any dropout set of size ≤ n − t at any moment', async () => {
    const gen = fc
      .record({ n: fc.integer({ min: 3, max: 7 }), m: fc.integer({ min: 1, max: 12 }) })
      .chain(({ n, m }) => fc.integer({ min: 2, max: n }).chain((t) => fc.tuple(fc.constant(n), fc.constant(t), scenario(n, m, n - t))));
    await fc.assert(
      fc.asyncProperty(gen, async ([_n, t, { vectors, drops, cuts }]) => {
        const [beforeSharing, beforeMasking, afterMasking] = splitDrops(drops, cuts);
        await checkExactSum(vectors.map((v) => Float64Array.from(v)), {
          threshold: t,
          clip: 1.5,
          dropoutsBeforeSharing: beforeSharing,
          dropoutsBeforeMasking: beforeMasking,
          dropoutsAfterMasking: afterMasking,
        });
      }),
      { numRuns: 60 },
    );
  });

  it('SecAgg+, any dropout set of size ≤ k + 1 − t, in a small ring too', async () => {
    const gen = fc
      .record({ n: fc.integer({ min: 6, max: 12 }), m: fc.integer({ min: 1, max: 8 }), ringBits: fc.constantFrom(16, 32) })
      .chain(({ n, m, ringBits }) =>
        fc
          .integer({ min: 1, max: Math.floor((n - 2) / 2) })
          .chain((half) =>
            fc
              .integer({ min: 2, max: 2 * half + 1 })
              .chain((t) => fc.tuple(fc.constant({ n, m, ringBits, k: 2 * half }), fc.constant(t), scenario(n, m, 2 * half + 1 - t))),
          ),
      );
    await fc.assert(
      fc.asyncProperty(gen, fc.string(), async ([{ k, ringBits }, t, { vectors, drops, cuts }], graphSeed) => {
        const [beforeSharing, beforeMasking, afterMasking] = splitDrops(drops, cuts);
        await checkExactSum(vectors.map((v) => Float64Array.from(v)), {
          threshold: t,
          clip: 2,
          neighbours: k,
          ringBits,
          graphSeed,
          dropoutsBeforeSharing: beforeSharing,
          dropoutsBeforeMasking: beforeMasking,
          dropoutsAfterMasking: afterMasking,
        });
      }),
      { numRuns: 60 },
    );
  });

  it('hand check: four clients, one drops before masking, one after', async () => {
    const vectors = [Float64Array.of(0.25, -0.5), Float64Array.of(0.5, 0.5), Float64Array.of(-1, 0.125), Float64Array.of(0.5, -0.25)];
    const r = await secureSum(vectors, { threshold: 2, clip: 1, ringBits: 8, dropoutsBeforeMasking: [1], dropoutsAfterMasking: [2] });
    // ringBits 8, maxClients 4: L = ⌊127/4⌋ = 31 levels per side, scale 31. Codes (round half up):
    // client 0: 7.75 → 8, −15.5 → −15; client 2: −31, 3.875 → 4; client 3: 15.5 → 16, −7.75 → −8.
    // Included 0, 2, 3 (client 2 sent its input before vanishing): (8 − 31 + 16, −15 + 4 − 8) = (−7, −19).
    expect(Array.from(r.quantizedSum)).toEqual([256 - 7, 256 - 19]);
    expect(Array.from(r.sum)).toEqual([-7 / 31, -19 / 31]);
    expect(r.included).toEqual([0, 2, 3]);
    expect(r.dropped).toEqual([1]);
    expect(r.responders).toEqual([0, 3]);
  });
});

describe('masking in place', () => {
  it('leaves the input alone by default, masks the caller’s own array with inPlace, and the sum is the same', async () => {
    const s = await runSession({ numClients: 4, threshold: 3, vectorLength: 8 }, 'collectMasked');
    const replies = s.routed.requests.map((request, i) => {
      const input = s.inputs[request.clientIndex].slice();
      const inPlace = i % 2 === 0;
      const step = maskInput(s.stateAt.get(request.clientIndex)!, request, input, { inPlace });
      if (inPlace) expect(step.reply.maskedInput).toBe(input);
      else expect(input).toEqual(s.inputs[request.clientIndex]);
      expect(step.reply.maskedInput).not.toEqual(s.inputs[request.clientIndex]);
      return step;
    });
    const summed = sumMasked(s.routed.state, replies.map((r) => r.reply));
    const unmasked = summed.requests.map((q) => unmask(replies.find((r) => r.reply.clientIndex === q.clientIndex)!.state, q).reply);
    expect((await reconstruct(summed.state, unmasked)).sum).toEqual(ringSum(s.inputs));
  });
});

describe('what the server sees', () => {
  it('a masked vector looks uniform (chi-square, p = 1e-6) and hides a constant input', async () => {
    const m = 25_600;
    const input = new Uint32Array(m).fill(5);
    const session = await runSession({ numClients: 3, threshold: 2, vectorLength: m, inputs: [input, input, input] }, 'unmask');
    const masked = session.maskedReplies[0].maskedInput;
    const low = new Array<number>(256).fill(0);
    const high = new Array<number>(256).fill(0);
    let unchanged = 0;
    for (let k = 0; k < m; k++) {
      low[masked[k] & 0xff]++;
      high[masked[k] >>> 24]++;
      if (masked[k] === input[k]) unchanged++;
    }
    expect(chiSquareUniform(low)).toBeLessThan(CHI2_255_P1E6);
    expect(chiSquareUniform(high)).toBeLessThan(CHI2_255_P1E6);
    expect(unchanged).toBeLessThan(3);
    // Control: the unmasked input fails the same test by far.
    const inputCounts = new Array<number>(256).fill(0);
    for (const v of input) inputCounts[v & 0xff]++;
    expect(chiSquareUniform(inputCounts)).toBeGreaterThan(CHI2_255_P1E6);
  });

  it('the sum of masked inputs alone is not the sum: the self masks must be removed', async () => {
    const session = await runSession({ numClients: 4, threshold: 3, vectorLength: 64 }, 'reconstruct');
    const plain = ringSum(session.inputs);
    expect(session.summed.state.maskedSum).not.toEqual(plain);
    const result = await reconstruct(session.summed.state, session.unmaskReplies);
    expect(result.sum).toEqual(plain);
  });

  it('SecAgg+ clients reveal shares only for their own neighbours', async () => {
    const session = await runSession({ numClients: 12, threshold: 3, vectorLength: 4, numNeighbours: 4 }, 'reconstruct');
    const graph = buildGraph({ numClients: 12, numNeighbours: 4, seed: session.setup.state.config.graphSeed });
    for (const reply of session.unmaskReplies) {
      const allowed = [...neighbours(graph, reply.clientIndex), reply.clientIndex].sort((a, b) => a - b);
      expect(reply.maskSeedShares.owners).toEqual(allowed);
      expect(reply.maskSeedShares.shares).toHaveLength(allowed.length * 33);
      expect(reply.recoveryKeyShares).toEqual({ owners: [], shares: new Uint8Array(0) });
    }
    expect((await reconstruct(session.summed.state, session.unmaskReplies)).sum).toEqual(ringSum(session.inputs));
  });
});
