/**
 * The whole model report from stored records: a logistic-regression model version on German
 * credit with its evaluation histograms and fairness counts renders every section (evaluation
 * charts, scorecard points, fairness, privacy spent, lineage); a private job lists each lender's
 * ε; a tree model says a points table does not apply and ranks features by gain, and renders the
 * evaluation and fairness sections from the same meta when its final evaluation collected them
 * (with the ensemble's input columns for the proxy warnings).
 */
import { describe, expect, it } from 'vitest';
import { float64ToBytes } from '../../src/coordinator/stateCodec.js';
import { builtinDataPath, getBuiltinSchema } from '../../src/data/builtin/index.js';
import { loadCsv } from '../../src/data/csv.js';
import { featureColumns } from '../../src/data/schema.js';
import { localFairnessCounts } from '../../src/fairness/counts.js';
import { GERMAN_FAIRNESS_ATTRIBUTES, groupIndex } from '../../src/fairness/groups.js';
import { localEvaluationSums } from '../../src/metrics/histogram.js';
import { LogisticRegression } from '../../src/model/logistic.js';
import { featuresOfTable, trainGbdtOnTable } from '../../src/model/gbdt/local.js';
import { gbdtParams } from '../../src/model/gbdt/params.js';
import { encodeTable, fitEncoder } from '../../src/preprocess/encoder.js';
import { localStats, statsLayout } from '../../src/preprocess/stats.js';
import { renderModelReport } from '../../src/report/modelReport.js';
import type { JobRecord, JsonObject, ModelVersionRecord, RoundRecord } from '../../src/store/index.js';

const schema = getBuiltinSchema('german');
const table = loadCsv(builtinDataPath('german'), schema);
const layout = statsLayout(featureColumns(schema));
const encoder = fitEncoder(layout.slots.map((s) => s.column), localStats(table, layout), layout);
const d = encoder.features.length;
const parameters = Float64Array.from({ length: d + 1 }, (_, i) => Math.cos(2 * i + 1) * 0.5);
const lr = new LogisticRegression(d);
lr.setParameters(parameters);
const p = lr.predictProba(encodeTable(encoder, table));
const fairness = { attributes: GERMAN_FAIRNESS_ATTRIBUTES, threshold: 1 / 6, numBins: 20 };
const counts = localFairnessCounts(fairness.attributes, fairness.attributes.map((a) => groupIndex(table, a)), p, table.label, fairness);

const job = (options: JsonObject = {}, model = 'logreg'): JobRecord => ({
  id: 'job-7', status: 'completed', createdBy: 'mel', createdAt: 0, updatedAt: 0, currentRound: 3,
  spec: { datasetKey: 'german-credit', model, strategy: 'fedavg', hyperparameters: { epochs: 1 }, rounds: 3, minNodes: 2, roundTimeoutMs: 60_000, seed: 1, options },
});
const rounds: RoundRecord[] = [1, 2, 3].map((round) => ({ jobId: 'job-7', round, status: 'committed', startedAt: 0, participants: ['bank-a', 'bank-b'], metrics: { auc: 0.7 + round / 100, ks: 0.3, trainLoss: 0.6 } }));
const version = (meta: JsonObject, params = float64ToBytes(parameters)): ModelVersionRecord => ({
  id: 'job-7-v1', jobId: 'job-7', version: 1, status: 'candidate', createdAt: 0, updatedAt: 0, parameters: params, meta,
  lineage: { nodes: ['bank-a', 'bank-b'], rounds: [1, 2, 3], settings: { model: 'logreg' }, feedbackIds: [] },
});
const lrMeta: JsonObject = {
  kind: 'logreg', numFeatures: d, encoder: encoder as unknown as JsonObject, schema: schema as unknown as JsonObject, datasetKey: 'german-credit',
  evaluation: { numBins: 100, sums: Array.from(localEvaluationSums(p, table.label, 100)), participants: ['bank-a', 'bank-b'] },
  fairness: { ...fairness, counts: Array.from(counts) } as unknown as JsonObject,
};

const headings = (html: string) => [...html.matchAll(/<h2>([^<]+)<\/h2>/g)].map((m) => m[1]);

describe('model report', () => {
  it('has every section of a logistic-regression model version', () => {
    const html = renderModelReport({ model: version(lrMeta), job: job(), rounds, generatedAt: new Date(0) });
    expect(headings(html)).toEqual(['Federated evaluation of the final model', 'Scorecard', 'Fairness', 'Training, round by round', 'Privacy and aggregation', 'Lineage']);
    expect(html).toContain('Points table from the logistic regression’s coefficients');
    expect(html).toContain('checking account &lt; 0 DM');
    for (const a of ['sex', 'marital status', 'age band', 'foreign worker']) expect(html).toContain(`<h3>${a} <small>`);
    // protected attributes are not features here: each gets a proxy verdict, not "used directly"
    expect(html).not.toContain('is itself a model feature');
    expect(html).toContain('<h3>Privacy spent</h3><p>No differential privacy');
    expect(html).not.toMatch(/NaN|undefined/);
    // self-contained: no script, no external resource
    expect(html).not.toMatch(/<script|src="http|href="http/);
  });

  it('lists the privacy each lender spent when the job was private', () => {
    const privacy = { mechanism: 'dpsgd', targetEpsilon: 2, delta: 1e-5, maxGradNorm: 1, sampleRate: 0.1, rounds: 3, epochs: 1 };
    const html = renderModelReport({ model: version(lrMeta), job: job({ privacy }), rounds });
    expect(html).toContain('aria-label="Privacy spent per lender"');
    const rows = [...html.matchAll(/<tr><th>(bank-[ab])<\/th><td>german-credit<\/td><td>3<\/td><td>\d+<\/td><td>([\d.]+)<\/td>/g)];
    expect(rows.map((r) => r[1])).toEqual(['bank-a', 'bank-b']);
    for (const r of rows) expect(Number(r[2])).toBeGreaterThan(0);
    for (const r of rows) expect(Number(r[2])).toBeLessThanOrEqual(2.0005);
  });

  it('a tree model: no points table, features by split gain, no fairness counts', () => {
    const ensemble = trainGbdtOnTable(table, gbdtParams({ numTrees: 5, maxDepth: 3 }));
    const html = renderModelReport({ model: version({ kind: 'gbdt', ensemble: ensemble.toJSON() as unknown as JsonObject, schema: schema as unknown as JsonObject, numFeatures: ensemble.features.length }, new Uint8Array(0)), job: job({}, 'gbdt'), rounds });
    expect(html).toContain('A points table does not apply to boosted trees');
    expect(html).toContain('aria-label="Features by split gain"');
    expect(html).toContain(schema.columns.find((c) => c.name === 'existingchecking')!.description!);
    expect(html).toContain('carries no fairness counts');
    expect(html).toContain('carries no evaluation histograms');
  });

  it('a tree model with its final evaluation: ROC, KS, calibration and fairness sections, proxy warnings from the ensemble’s columns', () => {
    const ensemble = trainGbdtOnTable(table, gbdtParams({ numTrees: 5, maxDepth: 3 }), featuresOfTable(table, 32, true));
    const q = ensemble.predictTable(table);
    const treeCounts = localFairnessCounts(fairness.attributes, fairness.attributes.map((a) => groupIndex(table, a)), q, table.label, fairness);
    const meta: JsonObject = {
      kind: 'gbdt', ensemble: ensemble.toJSON() as unknown as JsonObject, schema: schema as unknown as JsonObject, numFeatures: ensemble.features.length,
      evaluation: { numBins: 100, sums: Array.from(localEvaluationSums(q, table.label, 100)), participants: ['bank-a', 'bank-b'] },
      fairness: { ...fairness, counts: Array.from(treeCounts) } as unknown as JsonObject,
    };
    const html = renderModelReport({ model: version(meta, new Uint8Array(0)), job: job({}, 'gbdt'), rounds });
    expect(headings(html)).toEqual(['Federated evaluation of the final model', 'Scorecard', 'Fairness', 'Training, round by round', 'Privacy and aggregation', 'Lineage']);
    expect(html).toContain('ROC curve');
    expect(html).toContain('KS chart (KS ');
    expect(html).toContain('Calibration by score band');
    expect(html).toContain('A points table does not apply to boosted trees');
    for (const a of ['sex', 'marital status', 'age band', 'foreign worker']) expect(html).toContain(`aria-label="Fairness by ${a}"`);
    // trained with the protected columns: the report says the model uses them directly
    expect(ensemble.features.some((f) => f.column === 'foreignworker')).toBe(true);
    expect(html).toContain('column <code>foreignworker</code> is itself a model feature');
    expect(html).not.toMatch(/NaN|undefined/);
  });
});
