/**
 * Accuracy benchmark (`npm run bench:accuracy`): federated vs pooled vs local-only AUC over
 * both built-in datasets × {iid, dirichlet:0.5, attr} × {logreg, mlp}, 5-fold cross-validation
 * inside each of 5 nodes, 30 rounds. Prints JSON and writes bench/results/accuracy.json, with
 * the targets of the core issue checked.
 *
 * Usage: node --import tsx bench/accuracy.ts [--quick]   (--quick: German logreg iid only)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { simulate } from '../src/simulation/simulate.js';
import { simulationOptions } from '../src/simulation/options.js';
import { formatPartitionSpec, type PartitionSpec } from '../src/data/partition.js';

const quick = process.argv.includes('--quick');
const datasets = quick ? (['german'] as const) : (['german', 'credit_data'] as const);
const attrColumn = { german: 'age', credit_data: 'Age' } as const;
const rows: Record<string, unknown>[] = [];
const started = performance.now();

for (const dataset of datasets) {
  const partitions: PartitionSpec[] = quick ? [{ scheme: 'iid' }] : [{ scheme: 'iid' }, { scheme: 'dirichlet', alpha: 0.5 }, { scheme: 'attr', column: attrColumn[dataset] }];
  for (const partition of partitions) {
    for (const kind of quick ? (['logreg'] as const) : (['logreg', 'mlp'] as const)) {
      const t0 = performance.now();
      const report = await simulate(simulationOptions({
        dataset: { builtin: dataset }, numNodes: 5, rounds: 30, partition, cvFolds: 5, seed: 42,
        model: kind === 'mlp' ? { kind, config: { hidden: [16], activation: 'relu' } } : { kind, config: {} },
        evaluateEveryRound: false,
      }));
      const row = {
        dataset, partition: formatPartitionSpec(partition), model: kind,
        federatedAuc: round(report.federated.auc), pooledAuc: round(report.pooled!.auc), localOnlyMeanAuc: round(report.localOnly!.meanAuc),
        federatedKs: round(report.federated.ks), pooledKs: round(report.pooled!.ks),
        federatedBrier: round(report.federated.brier), federatedExpectedCost: round(report.federated.expectedCost),
        federatedMinusPooled: round(report.federated.auc - report.pooled!.auc), federatedMinusLocalOnly: round(report.federated.auc - report.localOnly!.meanAuc),
        wallMs: Math.round(performance.now() - t0),
      };
      rows.push(row);
      process.stderr.write(`${JSON.stringify(row)}\n`);
    }
  }
}

function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
const find = (dataset: string, partition: string, model: string) => rows.find((r) => r.dataset === dataset && r.partition === partition && r.model === model) as Record<string, number> | undefined;

const targets: Record<string, { value: number | null; target: string; met: boolean | null }> = {};
const check = (name: string, value: number | undefined, target: string, ok: (v: number) => boolean) => {
  targets[name] = { value: value === undefined ? null : round(value), target, met: value === undefined ? null : ok(value) };
};
const g = find('german', 'iid', 'logreg');
check('german iid logreg federated AUC', g?.federatedAuc, '≥ 0.780', (v) => v >= 0.78);
check('german iid logreg federated − pooled', g?.federatedMinusPooled, '≥ −0.005', (v) => v >= -0.005);
if (!quick) {
  const c = find('credit_data', 'iid', 'logreg');
  check('credit_data iid logreg federated AUC', c?.federatedAuc, '≥ 0.826', (v) => v >= 0.826);
  check('credit_data iid logreg federated − pooled', c?.federatedMinusPooled, '≥ −0.005', (v) => v >= -0.005);
  for (const d of datasets) {
    const dl = find(d, 'dirichlet:0.5', 'logreg');
    check(`${d} dirichlet:0.5 logreg federated − pooled`, dl?.federatedMinusPooled, '≥ −0.01', (v) => v >= -0.01);
    check(`${d} dirichlet:0.5 logreg federated − local-only mean`, dl?.federatedMinusLocalOnly, '≥ +0.03', (v) => v >= 0.03);
    const m = find(d, 'iid', 'mlp');
    const l = find(d, 'iid', 'logreg');
    check(`${d} iid mlp − logreg federated AUC`, m && l ? m.federatedAuc - l.federatedAuc : undefined, '≥ −0.01', (v) => v >= -0.01);
  }
}

const result = { benchmark: 'accuracy', setting: '5 nodes, 30 rounds, 5-fold CV inside each node, seed 42, FedAvg', node: process.version, wallMs: Math.round(performance.now() - started), rows, targets };
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL(`./results/accuracy${quick ? '-quick' : ''}.json`, import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
