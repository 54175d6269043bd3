import { describe, expect, it } from 'vitest';
import type { TrainSettings } from '../../../src/coordinator/roundLoop.js';
import { loadBuiltin } from '../../../src/data/builtin/index.js';
import { deriveRandom } from '../../../src/math/random.js';
import { createAuditHandlers, runFederation, type AuditPrivacy } from '../../../src/privacy/audit/federated.js';
import { plainTrainFn } from '../../../src/privacy/audit/trainFns.js';
import { dealWorld, observeMembership, splitTargetAndAuxiliary } from '../../../src/privacy/audit/worlds.js';
import type { Reply } from '../../../src/protocol/message.js';

const german = loadBuiltin('german');
const train: TrainSettings = { epochs: 1, batchSize: 32, lr: 0.01, optimizer: 'adam', l2: 1e-3, classWeights: 'none' };
const logreg = { kind: 'logreg' as const, config: {} };
const privacy: AuditPrivacy = { mechanism: 'dpsgd', noiseMultiplier: 1.2, maxGradNorm: 1, sampleRate: 0.1, delta: 1e-5, rounds: 3, epochs: 1 };

describe('splitTargetAndAuxiliary and dealWorld', () => {
  it('split the rows into disjoint parts that cover the table, stratified by label', () => {
    const { target, auxiliary } = splitTargetAndAuxiliary(german, 0.5, deriveRandom(1));
    expect(target.numRows + auxiliary.numRows).toBe(german.numRows);
    const key = (t: typeof german, i: number) => `${t.numeric.creditamount[i]}|${t.numeric.duration[i]}|${t.numeric.age[i]}|${t.categorical.purpose[i]}`;
    const bads = (t: typeof german) => t.label.reduce((s, v) => s + v, 0);
    expect(Math.abs(bads(target) - bads(auxiliary))).toBeLessThanOrEqual(1);
    const nodes = dealWorld(target, { numNodes: 5, memberFraction: 0.5, datasetKey: 'german', seed: [1, 'w'] });
    expect(nodes).toHaveLength(5);
    const rows = nodes.flatMap((n) => [n.train, n.test]);
    expect(rows.reduce((s, t) => s + t.numRows, 0)).toBe(target.numRows);
    for (const n of nodes) expect(Math.abs(n.train.numRows - n.test.numRows)).toBeLessThanOrEqual(2);
    // The same multiset of rows as the target half.
    const dealt = rows.flatMap((t) => Array.from({ length: t.numRows }, (_, i) => key(t, i))).sort();
    expect(dealt).toEqual(Array.from({ length: target.numRows }, (_, i) => key(target, i)).sort());
  });

  it('are deterministic for a seed path and differ between paths', () => {
    const a = dealWorld(german, { numNodes: 3, memberFraction: 0.5, datasetKey: 'german', seed: [1, 'x'] });
    const b = dealWorld(german, { numNodes: 3, memberFraction: 0.5, datasetKey: 'german', seed: [1, 'x'] });
    const c = dealWorld(german, { numNodes: 3, memberFraction: 0.5, datasetKey: 'german', seed: [1, 'y'] });
    expect(a[0].train.numeric.creditamount).toEqual(b[0].train.numeric.creditamount);
    expect(a[0].train.numeric.creditamount).not.toEqual(c[0].train.numeric.creditamount);
  });

  it.each([
    ['auxiliaryFraction 1', () => splitTargetAndAuxiliary(german, 1, deriveRandom(1)), RangeError],
    ['0 nodes', () => dealWorld(german, { numNodes: 0, memberFraction: 0.5, datasetKey: 'g', seed: [1] }), RangeError],
    ['memberFraction 0', () => dealWorld(german, { numNodes: 2, memberFraction: 0, datasetKey: 'g', seed: [1] }), RangeError],
    ['an empty seed path', () => dealWorld(german, { numNodes: 2, memberFraction: 0.5, datasetKey: 'g', seed: [] }), TypeError],
  ])('reject %s', (_name, call, type) => {
    expect(call).toThrow(type);
  });
});

describe('runFederation', () => {
  const nodes = dealWorld(german, { numNodes: 3, memberFraction: 0.5, datasetKey: 'german', seed: [2, 'fed'] });

  it('with plainTrainFn gives bit for bit the parameters of the real train handler', async () => {
    const real = await runFederation({ nodes, model: logreg, rounds: 3, train, seed: 5 });
    const viaFn = await runFederation({ nodes, model: logreg, rounds: 3, train, seed: 5, trainFn: plainTrainFn(train) });
    expect(viaFn.model.getParameters()).toEqual(real.model.getParameters());
    expect(real.model.getParameters().some((v) => v !== 0)).toBe(true);
    expect(real.nodeIds).toEqual(['node-1', 'node-2', 'node-3']);
  });

  it('trains privately through config.privacy: reproducible, different from plain training, no loss in the replies', async () => {
    const replies: Reply[] = [];
    const record = (_id: string, endpoint: { handle: (m: never) => Promise<Reply> }) => ({
      handle: async (m: never) => { const r = await endpoint.handle(m); replies.push(r); return r; },
    });
    const a = await runFederation({ nodes, model: logreg, rounds: 3, train, seed: 5, privacy, wrapEndpoint: record });
    const b = await runFederation({ nodes, model: logreg, rounds: 3, train, seed: 5, privacy });
    const plain = await runFederation({ nodes, model: logreg, rounds: 3, train, seed: 5 });
    expect(a.model.getParameters()).toEqual(b.model.getParameters());
    expect(a.model.getParameters()).not.toEqual(plain.model.getParameters());
    const trainReplies = replies.filter((r) => r.type === 'train');
    expect(trainReplies).toHaveLength(9);
    for (const r of trainReplies) {
      expect(r.error).toBeUndefined();
      expect(r.config.loss).toBeUndefined();
      expect(r.config.dpSteps).toBe(10);
    }
  });

  it('observeMembership scores the union of training rows as members and of held-out rows as non-members', async () => {
    const { model, encoder } = await runFederation({ nodes, model: logreg, rounds: 2, train, seed: 5 });
    const o = observeMembership(model, encoder, nodes);
    expect(o.members.proba.length).toBe(nodes.reduce((s, n) => s + n.train.numRows, 0));
    expect(o.nonMembers.proba.length).toBe(nodes.reduce((s, n) => s + n.test.numRows, 0));
    expect(Array.from(o.members.labels.slice(0, nodes[0].train.numRows))).toEqual(Array.from(nodes[0].train.label));
  });

  it('rejects bad arguments', async () => {
    await expect(runFederation({ nodes: [], model: logreg, rounds: 1, train, seed: 1 })).rejects.toThrow(RangeError);
    await expect(runFederation({ nodes, model: logreg, rounds: 0, train, seed: 1 })).rejects.toThrow(RangeError);
    await expect(runFederation({ nodes, model: logreg, rounds: 1, train, seed: 1.5 })).rejects.toThrow(RangeError);
    await expect(runFederation({ nodes: [nodes[0], { ...nodes[1], key: 'other' }], model: logreg, rounds: 1, train, seed: 1 })).rejects.toThrow(RangeError);
    expect(() => createAuditHandlers(nodes[0], 'train' as never)).toThrow(TypeError);
  });
});
