import { describe, expect, it } from 'vitest';
import { dealToNodes, loadSource, simulatedNodeIds } from '../../src/simulation/dataset.js';
import { simulationOptions } from '../../src/simulation/options.js';
import { encoderFor, trainCentral } from '../../src/simulation/baselines.js';
import { concatTables } from '../../src/simulation/dataset.js';
import { fineTuneHead, personalize } from '../../src/simulation/personalize.js';
import { encodeTable, labelsOf } from '../../src/preprocess/encoder.js';
import { deriveRandom } from '../../src/math/random.js';
import type { Mlp } from '../../src/model/mlp.js';

const options = simulationOptions({ dataset: { builtin: 'credit_data' }, numNodes: 3, rounds: 5, partition: { scheme: 'attr', column: 'Home' }, seed: 3 });
const nodes = dealToNodes(loadSource(options.dataset), options)[0];
const ids = simulatedNodeIds(3);
const pooled = concatTables(nodes.map((n) => n.train));
const encoder = encoderFor(pooled);

describe('personalization', () => {
  it('ditto with a huge λ stays at the global model; a small λ moves towards the node', () => {
    const global = trainCentral(pooled, encoder, options, 'global');
    const stay = personalize(nodes, ids, global, encoder, options, { method: 'ditto', lambda: 1e6, epochs: 2 });
    for (const n of stay) expect(Math.abs(n.personalized.auc - n.global.auc)).toBeLessThan(0.005);
    const move = personalize(nodes, ids, global, encoder, options, { method: 'ditto', lambda: 0.001, epochs: 5 });
    expect(move.some((n) => Math.abs(n.personalized.brier - n.global.brier) > 1e-4)).toBe(true);
  });

  it('local-head fine-tuning of an MLP changes only the output layer', () => {
    const mlpOptions = simulationOptions({ ...options, model: { kind: 'mlp', config: { hidden: [8] } } });
    const global = trainCentral(pooled, encoder, mlpOptions, 'global') as Mlp;
    const before = global.getParameters();
    const result = personalize(nodes, ids, global, encoder, mlpOptions, { method: 'finetune', epochs: 3 });
    expect(result).toHaveLength(3);
    // the global model itself is untouched (adaptation works on a copy)
    expect(Array.from(global.getParameters())).toEqual(Array.from(before));
    expect(result.every((n) => Number.isFinite(n.personalized.brier))).toBe(true);
    // head-only training: hidden weights bit-identical, output layer changed
    const copy = global.clone() as Mlp;
    fineTuneHead(copy, encodeTable(encoder, nodes[0].train), labelsOf(nodes[0].train), { epochs: 3, lr: 0.01, optimizer: 'adam', rng: deriveRandom(1, 'ft') });
    const after = copy.getParameters();
    const head = copy.headOffset;
    expect(Array.from(after.subarray(0, head))).toEqual(Array.from(before.subarray(0, head)));
    expect(Array.from(after.subarray(head))).not.toEqual(Array.from(before.subarray(head)));
  });

  it('is deterministic for a seed', () => {
    const global = trainCentral(pooled, encoder, options, 'global');
    const a = personalize(nodes, ids, global, encoder, options, { method: 'finetune' });
    const b = personalize(nodes, ids, global, encoder, options, { method: 'finetune' });
    expect(a).toEqual(b);
  });
});

describe('simulate --personalize', () => {
  it('reports global vs personalised vs local-only per node', async () => {
    const { simulate } = await import('../../src/simulation/simulate.js');
    const report = await simulate(simulationOptions({ dataset: { builtin: 'german' }, numNodes: 3, rounds: 5, seed: 2, personalize: { method: 'ditto', lambda: 0.5 } }));
    expect(report.personalization?.perNode).toHaveLength(3);
    expect(report.personalization!.meanPersonalizedAuc).toBeGreaterThan(0.5);
    expect(report.personalization!.perNode[0].localOnly).toBeDefined();
  });
});
