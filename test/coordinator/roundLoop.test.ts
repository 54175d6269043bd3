import { describe, expect, it } from 'vitest';
import { runRounds, sampleNodes } from '../../src/coordinator/roundLoop.js';
import { RoundError } from '../../src/coordinator/errors.js';
import { replyTo, type Message, type Reply } from '../../src/protocol/message.js';
import { InProcessTransport, type NodeEndpoint } from '../../src/transport/inProcess.js';
import { createStrategy } from '../../src/strategy/index.js';

/**
 * Scripted nodes: node i "trains" by moving the parameters to its own target vector and
 * reports n_i examples, so the aggregate of each round is known in closed form.
 */
function scripted(target: number[], numExamples: number, log: Message[] = []): NodeEndpoint {
  return {
    async handle(m): Promise<Reply> {
      log.push(m);
      if (m.type === 'train') return replyTo(m, { arrays: { parameters: Float64Array.from(target) }, config: { numExamples, loss: 0.5 } });
      if (m.type === 'evaluate') {
        // one bad and one good example, scored by the first parameter: AUC 1 if p0 > 0
        const numBins = Number(m.config.numBins);
        const sums = new Float64Array(2 * numBins + 3);
        sums[numBins - 1] = 1; // bad example in the top bin
        sums[numBins] = 1; // good example in the bottom bin
        sums[2 * numBins] = 2; sums[2 * numBins + 1] = 0; sums[2 * numBins + 2] = 0;
        return replyTo(m, { arrays: { sums } });
      }
      return replyTo(m, { error: { code: 'UNKNOWN_MESSAGE_TYPE', message: m.type } });
    },
  };
}

const train = { epochs: 1, batchSize: 32, lr: 0.1, optimizer: 'sgd' as const, l2: 0, classWeights: 'none' as const };

describe('round loop', () => {
  it('FedAvg over scripted nodes gives the example-weighted mean (hand-computed) and reports each round', async () => {
    const log: Message[] = [];
    const transport = new InProcessTransport([
      ['a', scripted([1, 2], 10, log)],
      ['b', scripted([3, 6], 30, log)],
    ]);
    const rounds: number[] = [];
    const { parameters, history } = await runRounds({
      transport, strategy: createStrategy('fedavg'), jobId: 'j', seed: 1, rounds: 2, initialParameters: new Float64Array([0, 0]),
      train, minNodes: 2, timeoutMs: 1000, onRound: (r) => { rounds.push(r.round); },
    });
    // (10·[1,2] + 30·[3,6]) / 40 = [2.5, 5]
    expect(Array.from(parameters)).toEqual([2.5, 5]);
    expect(rounds).toEqual([1, 2]);
    expect(history[0].participants).toEqual(['a', 'b']);
    expect(history[0].numExamples).toBe(40);
    expect(history[0].metrics?.auc).toBe(1);
    // the train message carries the global parameters and the settings
    const firstTrain = log.find((m) => m.type === 'train')!;
    expect(firstTrain.config).toMatchObject({ epochs: 1, batchSize: 32, lr: 0.1, optimizer: 'sgd' });
    const secondRound = log.filter((m) => m.type === 'train' && m.round === 2);
    expect(Array.from(secondRound[0].arrays.parameters)).toEqual([2.5, 5]);
  });

  it('pipelines round r evaluation with round r + 1 training: same reports, committed in order, one trip fewer', async () => {
    const run = async (pipelineEvaluation: boolean) => {
      const log: Message[] = [];
      // an evaluation records whether the next round's train message had already arrived
      const overlapped: boolean[] = [];
      const gate = (target: number[]): NodeEndpoint => ({
        async handle(m) {
          if (m.type === 'evaluate' && m.round < 3) {
            await new Promise((resolve) => setTimeout(resolve, 20));
            overlapped.push(log.some((x) => x.type === 'train' && x.round === m.round + 1));
          }
          return scripted(target, target[0] === 1 ? 10 : 30, log).handle(m);
        },
      });
      const transport = new InProcessTransport([['a', gate([1, 2])], ['b', gate([3, 6])]]);
      const committed: { round: number; auc?: number; parameters: number[] }[] = [];
      const out = await runRounds({
        transport, strategy: createStrategy('fedavg'), jobId: 'j', seed: 1, rounds: 3, initialParameters: new Float64Array([0, 0]),
        train, minNodes: 2, timeoutMs: 1000, pipelineEvaluation,
        onRound: async (r, p) => {
          await new Promise((resolve) => setTimeout(resolve, 5)); // a slow commit must not reorder rounds
          committed.push({ round: r.round, auc: r.metrics?.auc, parameters: Array.from(p) });
        },
      });
      return { ...out, committed, overlapped };
    };
    const sequential = await run(false);
    const pipelined = await run(true);
    expect(pipelined.committed).toEqual(sequential.committed);
    expect(pipelined.committed.map((c) => c.round)).toEqual([1, 2, 3]);
    expect(pipelined.committed.every((c) => c.auc === 1)).toBe(true);
    expect(pipelined.history.map((h) => h.metrics)).toEqual(sequential.history.map((h) => h.metrics));
    expect(Array.from(pipelined.parameters)).toEqual(Array.from(sequential.parameters));
    // sequential: round r + 1's training waits for round r's evaluation; pipelined: it is already out
    expect(sequential.overlapped).toEqual([false, false, false, false]);
    expect(pipelined.overlapped).toEqual([true, true, true, true]);
  });

  it('a failed evaluation of a pipelined round fails the job before the next round is reported', async () => {
    let evaluations = 0;
    const flaky = (target: number[]): NodeEndpoint => ({
      async handle(m) {
        if (m.type === 'evaluate' && ++evaluations > 2) return replyTo(m, { error: { code: 'BROKEN', message: 'disk full' } });
        return scripted(target, 10).handle(m);
      },
    });
    const transport = new InProcessTransport([['a', flaky([1, 1])], ['b', flaky([3, 3])]]);
    const committed: number[] = [];
    await expect(runRounds({
      transport, strategy: createStrategy('fedavg'), jobId: 'j', seed: 1, rounds: 4, initialParameters: new Float64Array([0, 0]),
      train, minNodes: 2, timeoutMs: 1000, onRound: (r) => { committed.push(r.round); },
    })).rejects.toThrow(RoundError);
    expect(committed).toEqual([1]);
  });

  it('a node that never answers does not stall the round; the others are aggregated', async () => {
    const silent: NodeEndpoint = { handle: () => new Promise(() => {}) };
    const transport = new InProcessTransport([['a', scripted([1, 1], 10)], ['b', scripted([3, 3], 10)], ['c', silent]]);
    const { parameters, history } = await runRounds({
      transport, strategy: createStrategy('fedavg'), jobId: 'j', seed: 1, rounds: 1, initialParameters: new Float64Array(2),
      train, minNodes: 2, timeoutMs: 200, evaluateEveryRound: false,
    });
    expect(Array.from(parameters)).toEqual([2, 2]);
    expect(history[0].dropped).toEqual(['c']);
  });

  it('fails the round with TOO_FEW_NODES when fewer than minNodes succeed, naming why', async () => {
    const failing: NodeEndpoint = { async handle(m) { return replyTo(m, { error: { code: 'POLICY_REFUSED', message: 'mlp not allowed' } }); } };
    const transport = new InProcessTransport([['a', scripted([1], 10)], ['b', failing]]);
    const run = runRounds({ transport, strategy: createStrategy('fedavg'), jobId: 'j', seed: 1, rounds: 1, initialParameters: new Float64Array(1), train, minNodes: 2, timeoutMs: 200 });
    await expect(run).rejects.toBeInstanceOf(RoundError);
    await expect(run).rejects.toThrow(/POLICY_REFUSED mlp not allowed/);
  });

  it('rejects a node reply with the wrong number of parameters', async () => {
    const transport = new InProcessTransport([['a', scripted([1, 2, 3], 10)]]);
    await expect(runRounds({ transport, strategy: createStrategy('fedavg'), jobId: 'j', seed: 1, rounds: 1, initialParameters: new Float64Array(2), train, minNodes: 1, timeoutMs: 200 })).rejects.toThrow(/expected 2 values/);
  });

  it('robust strategies receive individual updates (median of three)', async () => {
    const transport = new InProcessTransport([['a', scripted([1, 5, 3], 1)], ['b', scripted([2, 2, 2], 100)], ['c', scripted([9, 0, 1], 1)]]);
    const { parameters } = await runRounds({ transport, strategy: createStrategy('median'), jobId: 'j', seed: 1, rounds: 1, initialParameters: new Float64Array(3), train, minNodes: 3, timeoutMs: 500, evaluateEveryRound: false });
    expect(Array.from(parameters)).toEqual([2, 2, 2]);
  });

  it('samples a seeded fraction of nodes, never fewer than minNodes', () => {
    const nodes = ['n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7', 'n8', 'n9', 'n10'];
    const a = sampleNodes(nodes, 0.3, 2, 7, 1);
    expect(a).toHaveLength(3);
    expect(sampleNodes(nodes, 0.3, 2, 7, 1)).toEqual(a);
    expect(sampleNodes(nodes, 0.1, 4, 7, 1)).toHaveLength(4);
    expect(sampleNodes(nodes, 1, 1, 7, 1)).toHaveLength(10);
    const rounds = new Set(Array.from({ length: 10 }, (_, r) => sampleNodes(nodes, 0.3, 1, 7, r).join()));
    expect(rounds.size).toBeGreaterThan(1);
    expect(() => sampleNodes(nodes, 0, 1, 7, 1)).toThrow(RangeError);
  });
});
