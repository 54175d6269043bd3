/**
 * Fairness counts collected with the final evaluation (src/fairness/evaluation.ts): real lender
 * handlers on German credit, plain and secure aggregation. The summed counts equal the counts of
 * the pooled test rows, the evaluation histograms are unchanged by the extra counts, and a bad
 * fairness request is refused with a protocol error, not a crash.
 */
import { describe, expect, it } from 'vitest';
import { builtinDataPath, getBuiltinSchema } from '../../src/data/builtin/index.js';
import { loadCsv } from '../../src/data/csv.js';
import { partition } from '../../src/data/partition.js';
import { selectRows } from '../../src/data/schema.js';
import { stratifiedSplit } from '../../src/data/split.js';
import { exchange } from '../../src/coordinator/exchange.js';
import { federatedEvaluate } from '../../src/coordinator/evaluate.js';
import { federatedPreprocess } from '../../src/coordinator/preprocess.js';
import { localFairnessCounts } from '../../src/fairness/counts.js';
import { fairnessConfig, parseEvaluationFairness, roundFairnessCounts, type EvaluationFairness } from '../../src/fairness/evaluation.js';
import { GERMAN_FAIRNESS_ATTRIBUTES, groupIndex } from '../../src/fairness/groups.js';
import { deriveRandom } from '../../src/math/random.js';
import { createModel } from '../../src/model/factory.js';
import { NodeApp } from '../../src/node/app.js';
import { createCreditHandlers } from '../../src/node/creditHandlers.js';
import { secAggMod } from '../../src/node/secaggMod.js';
import { encodeTable } from '../../src/preprocess/encoder.js';
import { createMessage } from '../../src/protocol/message.js';
import { concatTables } from '../../src/simulation/dataset.js';
import { InProcessTransport } from '../../src/transport/inProcess.js';

const schema = getBuiltinSchema('german');
const table = loadCsv(builtinDataPath('german'), schema);
const parts = partition(table, { scheme: 'iid' }, 3, deriveRandom(7, 'p'));
const datasets = parts.map((rows, i) => {
  const t = selectRows(table, rows);
  const s = stratifiedSplit(t.label, 0.25, deriveRandom(7, 's', i));
  return { key: 'german-credit', train: selectRows(t, s.train), test: selectRows(t, s.test) };
});
const nodeIds = ['n0', 'n1', 'n2'];
const apps = datasets.map((d, i) => new NodeApp({ nodeId: nodeIds[i], handlers: createCreditHandlers(new Map([['german-credit', d]])), mods: [secAggMod()] }));
const transport = new InProcessTransport(apps.map((app, i) => [nodeIds[i], app]));
const fairness: EvaluationFairness = { attributes: GERMAN_FAIRNESS_ATTRIBUTES, threshold: 1 / 6, numBins: 10 };

async function setUp() {
  const pre = await federatedPreprocess({ transport, jobId: 'j', datasetKey: 'german-credit', schema, nodeIds, minNodes: 3, timeoutMs: 5000 });
  await exchange({ transport, jobId: 'j', round: 0, type: 'setup', nodeIds, minReplies: 3, timeoutMs: 5000, config: { datasetKey: 'german-credit', encoder: JSON.stringify(pre.encoder), model: JSON.stringify({ kind: 'logreg', config: {} }), seed: 1 } });
  const model = createModel('logreg', pre.encoder.features.length, {}, deriveRandom(3, 'weights'));
  const parameters = model.getParameters().map((_, i) => Math.sin(i + 1) * 0.4);
  model.setParameters(parameters);
  const pooled = concatTables(datasets.map((d) => d.test));
  const p = model.predictProba(encodeTable(pre.encoder, pooled));
  const expected = localFairnessCounts(fairness.attributes, fairness.attributes.map((a) => groupIndex(pooled, a)), p, pooled.label, fairness);
  return { pre, parameters, expected };
}

describe('fairness counts with the final evaluation', () => {
  it('sums the nodes’ group counts to those of the pooled test rows, plain and secure, and leaves the histograms alone', async () => {
    const { pre, parameters, expected } = await setUp();
    const base = { transport, jobId: 'j', nodeIds, parameters, minNodes: 3, timeoutMs: 5000, numBins: 100, totalRows: pre.numRows };
    const without = await federatedEvaluate({ ...base, round: 31 });
    expect(without.fairnessCounts).toBeUndefined();
    const plain = await federatedEvaluate({ ...base, round: 32, fairness });
    expect(Array.from(plain.sums)).toEqual(Array.from(without.sums));
    expect(plain.fairnessCounts!.length).toBe(expected.length);
    for (let i = 0; i < expected.length; i++) expect(plain.fairnessCounts![i]).toBeCloseTo(expected[i], 9);
    // total applicants of the first attribute's blocks = the pooled test rows
    const n = datasets.reduce((s, d) => s + d.test.numRows, 0);
    expect(plain.fairnessCounts!.slice(0, 4).reduce((s, v) => s + v, 0) + plain.fairnessCounts!.slice(34, 38).reduce((s, v) => s + v, 0) + plain.fairnessCounts!.slice(68, 72).reduce((s, v) => s + v, 0)).toBe(n);

    const secure = await federatedEvaluate({ ...base, round: 33, fairness, aggregation: { kind: 'secure' } });
    expect(Array.from(secure.sums.slice(0, 201))).toEqual(Array.from(without.sums.slice(0, 201)));
    for (let i = 0; i < expected.length; i++) expect(Math.abs(secure.fairnessCounts![i] - expected[i])).toBeLessThan(1e-3);
    // count entries come back as exact integers
    expect(secure.fairnessCounts!.slice(0, 4).every(Number.isInteger)).toBe(true);
  });

  it('refuses a malformed fairness request with a protocol error', async () => {
    const { parameters } = await setUp();
    const ask = (config: Record<string, string | number>) => apps[0].handle(createMessage({ jobId: 'j', nodeId: 'n0', round: 40, type: 'evaluate', config: { split: 'test', numBins: 100, ...config }, arrays: { parameters } }));
    const bad = [
      { fairness: '{"attributes": [], "threshold": 0.2, "numBins": 10}' },
      { fairness: JSON.stringify({ ...JSON.parse(fairnessConfig(fairness).fairness), threshold: 2 }) },
      { fairness: JSON.stringify({ attributes: [{ name: 'x', column: 'nosuchcolumn', groups: [{ name: 'a', values: ['1'] }] }], threshold: 0.2, numBins: 10 }) },
      { fairness: 'not json' },
    ];
    for (const config of bad) {
      const reply = await ask(config);
      expect(reply.error?.code).toBe('BAD_MESSAGE');
    }
  });

  it('parses and rounds only what is valid', () => {
    expect(() => parseEvaluationFairness({ attributes: GERMAN_FAIRNESS_ATTRIBUTES, threshold: 0.2, numBins: 0 })).toThrow(/numBins/);
    expect(() => parseEvaluationFairness(null)).toThrow(TypeError);
    const one = { attributes: [GERMAN_FAIRNESS_ATTRIBUTES[0]], threshold: 0.2, numBins: 1 };
    // 3 groups (female, male, unknown) × (4 + 3) values
    const noisy = Float64Array.from({ length: 21 }, (_, i) => i + 0.0004 * (i % 2 ? 1 : -1));
    const rounded = roundFairnessCounts(noisy, one);
    expect(Array.from(rounded.slice(0, 7))).toEqual([0, 1, 2, 3, 4, 5.0004, 6]); // Σp (index 5) kept
    expect(() => roundFairnessCounts(new Float64Array(5), one)).toThrow(RangeError);
  });
});
