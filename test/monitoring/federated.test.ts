import { describe, expect, it } from 'vitest';
import { selectRows, type Table } from '../../src/data/schema.js';
import { federatedPsi } from '../../src/monitoring/federated.js';
import { createMonitoringHandlers, MONITORING_MESSAGES } from '../../src/monitoring/handlers.js';
import { featureHistogram, featureHistogramLayout, scoreHistogramOf } from '../../src/monitoring/histograms.js';
import { populationStabilityIndex, quantileGroups, regroup } from '../../src/monitoring/psi.js';
import { NodeApp } from '../../src/node/app.js';
import type { NodeDataset } from '../../src/node/jobContext.js';
import { createMessage } from '../../src/protocol/message.js';
import { concatTables } from '../../src/simulation/dataset.js';
import { InProcessTransport } from '../../src/transport/inProcess.js';
import { germanScorecard } from '../scorecard/fixture.js';

const { table, binning, model } = germanScorecard();
const parameters = model.getParameters();

/** Three lenders of 300 German applicants; node-3's "current" rows are its overdrawn applicants with credits of a year or more. */
function lenders(): NodeDataset[] {
  const rows = (from: number) => Array.from({ length: 300 }, (_, i) => from + i);
  const nodes = [0, 300, 600].map((from) => ({ key: 'german', train: selectRows(table, rows(from)), test: selectRows(table, rows(from).slice(0, 100)) }));
  const long = rows(600).filter((i) => table.categorical.existingchecking[i] === 'A11' && table.numeric.duration[i] >= 12);
  nodes[2] = { ...nodes[2], test: selectRows(table, long) };
  return nodes;
}

const nodes = lenders();
const nodeIds = ['node-1', 'node-2', 'node-3'];
const transport = new InProcessTransport(nodes.map((d, i) => [nodeIds[i], new NodeApp({ nodeId: nodeIds[i], handlers: createMonitoringHandlers(new Map([['german', d]])) })]));
const base = { transport, jobId: 'psi', nodeIds, minNodes: 3, timeoutMs: 30_000, binning, parameters };

function direct(reference: Table, current: Table) {
  const layout = featureHistogramLayout(binning);
  const ref = featureHistogram(binning, reference);
  const cur = featureHistogram(binning, current);
  const refScore = scoreHistogramOf(binning, parameters, reference, 1000);
  const starts = quantileGroups(refScore, 10);
  return {
    score: populationStabilityIndex(regroup(refScore, starts), regroup(scoreHistogramOf(binning, parameters, current, 1000), starts)),
    features: layout.slots.map((s) => populationStabilityIndex(ref.subarray(s.offset, s.offset + s.length), cur.subarray(s.offset, s.offset + s.length))),
  };
}

describe('federated population stability', () => {
  it('is exactly 0 for the federation when the current population is the reference', async () => {
    const report = await federatedPsi({ ...base, reference: { datasetKey: 'german', split: 'train' }, current: { datasetKey: 'german', split: 'train' } });
    expect(report.reference.numRows).toBe(900);
    expect(report.federated.score!.psi).toBe(0);
    expect(report.federated.features.every((f) => f.psi === 0 && f.status === 'stable')).toBe(true);
    expect(report.perNode.map((n) => n.nodeId)).toEqual(nodeIds);
  });

  it('computes per-node and federated PSI like a pooled computation, and flags the drifted node', async () => {
    const report = await federatedPsi({ ...base, reference: { datasetKey: 'german', split: 'train' }, current: { datasetKey: 'german', split: 'test' } });
    const reference = concatTables(nodes.map((n) => n.train));
    nodes.forEach((n, i) => {
      const expected = direct(reference, n.test);
      expect(report.perNode[i].score!.psi).toBeCloseTo(expected.score, 12);
      report.perNode[i].features.forEach((f, j) => expect(f.psi).toBeCloseTo(expected.features[j], 12));
    });
    const whole = direct(reference, concatTables(nodes.map((n) => n.test)));
    expect(report.federated.score!.psi).toBeCloseTo(whole.score, 12);
    const drifted = report.perNode[2];
    expect(drifted.features.find((f) => f.name === 'existingchecking')!.status).toBe('warning');
    expect(drifted.features.find((f) => f.name === 'duration')!.status).toBe('warning');
    expect(drifted.score!.status).toBe('warning');
    expect(drifted.score!.psi).toBeGreaterThan(drifted.score!.noise95); // beyond sampling noise
    expect(report.warnings.some((w) => w.startsWith('node-3: duration PSI') && !w.includes('sampling noise'))).toBe(true);
    expect(report.perNode[0].features.find((f) => f.name === 'duration')!.psi).toBeLessThan(0.1);
  });

  it('monitors features alone without model parameters, and can leave out per-node values', async () => {
    const report = await federatedPsi({ ...base, parameters: undefined, perNode: false, reference: { datasetKey: 'german', split: 'train' }, current: { datasetKey: 'german', split: 'test' } });
    expect(report.federated.score).toBeUndefined();
    expect(report.federated.features).toHaveLength(binning.variables.length);
    expect(report.perNode).toEqual([]);
  });

  it('refuses hostile histogram requests with coded errors', async () => {
    const app = new NodeApp({ nodeId: 'n', handlers: createMonitoringHandlers(new Map([['german', nodes[0]]])) });
    const ask = (config: Record<string, string | number>, arrays: Record<string, Float64Array> = {}) =>
      app.handle(createMessage({ type: MONITORING_MESSAGES.histogram, jobId: 'h', round: 0, nodeId: 'n', config, arrays }));
    const ok = { datasetKey: 'german', split: 'test', binning: JSON.stringify(binning) };
    expect((await ask(ok)).arrays.features.reduce((s, v) => s + v, 0)).toBe(100 * binning.variables.length);
    expect((await ask({ ...ok, split: 'all' })).error?.code).toBe('BAD_MESSAGE');
    expect((await ask({ ...ok, binning: '[]' })).error?.code).toBe('BAD_MESSAGE');
    expect((await ask(ok, { parameters: new Float64Array(3) })).error?.code).toBe('BAD_MESSAGE');
    expect((await ask({ ...ok, numScoreBins: 1 }, { parameters })).error?.code).toBe('BAD_MESSAGE');
    expect((await ask({ ...ok, datasetKey: 'other' })).error?.code).toBe('DATASET_UNKNOWN');
  });
});
