/**
 * What leaves a node: run a whole job (describe, stats, setup, 10 rounds of train and
 * evaluate) and inspect every reply the nodes send. None may carry a record's field values:
 * no array as long as the node's rows, no run of a row's numeric values, no distinctive amount,
 * and no category code outside the schema description.
 */
import { describe, expect, it } from 'vitest';
import { builtinDataPath, getBuiltinSchema } from '../../src/data/builtin/index.js';
import { loadCsv } from '../../src/data/csv.js';
import { partition } from '../../src/data/partition.js';
import { selectRows } from '../../src/data/schema.js';
import { stratifiedSplit } from '../../src/data/split.js';
import { exchange } from '../../src/coordinator/exchange.js';
import { federatedPreprocess } from '../../src/coordinator/preprocess.js';
import { runRounds } from '../../src/coordinator/roundLoop.js';
import { deriveRandom } from '../../src/math/random.js';
import { createModel } from '../../src/model/factory.js';
import { NodeApp } from '../../src/node/app.js';
import { createCreditHandlers } from '../../src/node/creditHandlers.js';
import type { Reply } from '../../src/protocol/message.js';
import { createStrategy } from '../../src/strategy/index.js';
import { InProcessTransport } from '../../src/transport/inProcess.js';

describe('no record leaves a node', () => {
  it('every reply of a full job carries only parameters and sums', async () => {
    const schema = getBuiltinSchema('german');
    const table = loadCsv(builtinDataPath('german'), schema);
    const parts = partition(table, { scheme: 'iid' }, 3, deriveRandom(1, 'p'));
    const replies: Reply[] = [];
    const nodes = parts.map((rows, i) => {
      const t = selectRows(table, rows);
      const s = stratifiedSplit(t.label, 0.2, deriveRandom(1, 's', i));
      const dataset = { key: 'german-credit', train: selectRows(t, s.train), test: selectRows(t, s.test) };
      const app = new NodeApp({ nodeId: `n${i}`, handlers: createCreditHandlers(new Map([['german-credit', dataset]])) });
      return { id: `n${i}`, dataset, endpoint: { handle: async (m: Parameters<NodeApp['handle']>[0]) => { const r = await app.handle(m); replies.push(r); return r; } } };
    });
    const transport = new InProcessTransport(nodes.map((n) => [n.id, n.endpoint]));
    const nodeIds = nodes.map((n) => n.id);
    await exchange({ transport, jobId: 'j', round: 0, type: 'describe', nodeIds, config: { datasetKey: 'german-credit' }, timeoutMs: 5000, minReplies: 3 });
    const pre = await federatedPreprocess({ transport, jobId: 'j', datasetKey: 'german-credit', schema, nodeIds, minNodes: 3, timeoutMs: 5000 });
    await exchange({ transport, jobId: 'j', round: 0, type: 'setup', nodeIds, minReplies: 3, timeoutMs: 5000, config: { datasetKey: 'german-credit', encoder: JSON.stringify(pre.encoder), model: JSON.stringify({ kind: 'logreg', config: {} }), seed: 1 } });
    const initial = createModel('logreg', pre.encoder.features.length, {}, deriveRandom(1, 'init'));
    await runRounds({ transport, strategy: createStrategy('fedavg'), jobId: 'j', seed: 1, rounds: 10, initialParameters: initial.getParameters(), train: { epochs: 1, batchSize: 32, lr: 0.01, optimizer: 'adam', l2: 1e-3, classWeights: 'none' }, minNodes: 3, timeoutMs: 5000 });

    expect(replies.length).toBe(3 * (1 + 1 + 1 + 10 + 10));
    expect(replies.every((r) => !r.error)).toBe(true);
    const numericColumns = schema.columns.filter((c) => c.kind === 'numeric').map((c) => c.name);
    const codes = new Set(schema.columns.flatMap((c) => c.categories ?? []));
    for (const node of nodes) {
      const mine = replies.filter((r) => r.nodeId === node.id);
      const rowsHeld = [node.dataset.train, node.dataset.test];
      // distinctive values: credit amounts above any count a node could report
      const amounts = new Set<number>();
      for (const t of rowsHeld) for (const v of t.numeric.creditamount) if (v > 1000) amounts.add(v);
      const rowsByFirstValue = new Map<number, number[][]>();
      for (const t of rowsHeld) {
        for (let i = 0; i < t.numRows; i++) {
          const row = numericColumns.map((c) => t.numeric[c][i]);
          rowsByFirstValue.set(row[0], [...(rowsByFirstValue.get(row[0]) ?? []), row]);
        }
      }
      for (const r of mine) {
        for (const [name, values] of Object.entries(r.arrays)) {
          for (const t of rowsHeld) expect(values.length, `${r.type}.${name}`).not.toBe(t.numRows);
          for (const v of values) expect(amounts.has(v), `${r.type}.${name} carries a credit amount`).toBe(false);
          // no run of one row's numeric fields, in schema order (indexed by the first field)
          for (let k = 0; k + numericColumns.length <= values.length; k++) {
            for (const row of rowsByFirstValue.get(values[k]) ?? []) {
              let same = true;
              for (let j = 1; j < row.length && same; j++) same = values[k + j] === row[j];
              expect(same, `${r.type}.${name} contains a row's numeric fields`).toBe(false);
            }
          }
        }
        for (const [key, value] of Object.entries(r.config)) {
          if (r.type === 'describe' && key === 'schema') continue; // the schema lists the codebook, not records
          if (typeof value === 'string') for (const code of codes) expect(value.includes(`"${code}"`) || value === code, `${r.type}.config.${key}`).toBe(false);
        }
      }
    }
  });
});
