import { describe, expect, it } from 'vitest';
import { NodeApp, type Mod } from '../../src/node/app.js';
import { createCreditHandlers } from '../../src/node/creditHandlers.js';
import { createMessage, replyTo } from '../../src/protocol/message.js';
import { getBuiltinSchema, builtinDataPath } from '../../src/data/builtin/index.js';
import { loadCsv } from '../../src/data/csv.js';
import { selectRows } from '../../src/data/schema.js';

const table = loadCsv(builtinDataPath('german'), getBuiltinSchema('german'));
const dataset = { key: 'german-bank-a', train: selectRows(table, Array.from({ length: 200 }, (_, i) => i)), test: selectRows(table, Array.from({ length: 50 }, (_, i) => 200 + i)) };
const app = (mods: Mod[] = []) => new NodeApp({ nodeId: 'bank-a', handlers: createCreditHandlers(new Map([[dataset.key, dataset]])), mods });
const msg = (type: string, config: Record<string, number | string | boolean> = {}, arrays: Record<string, Float64Array> = {}) => createMessage({ type, jobId: 'job-1', round: 1, nodeId: 'bank-a', config, arrays });

describe('node app', () => {
  it('answers stats with sums only: no vector as long as the rows, counts add up to the rows', async () => {
    const reply = await app().handle(msg('stats', { datasetKey: 'german-bank-a' }));
    expect(reply.error).toBeUndefined();
    expect(reply.config.numRows).toBe(200);
    expect(Object.keys(reply.arrays)).toEqual(['stats']);
  });

  it('turns failures into coded error replies instead of throwing', async () => {
    const a = app();
    expect((await a.handle(msg('nope'))).error?.code).toBe('UNKNOWN_MESSAGE_TYPE');
    expect((await a.handle(msg('stats', { datasetKey: 'someone-else' }))).error?.code).toBe('DATASET_UNKNOWN');
    expect((await a.handle(msg('train', {}, { parameters: new Float64Array(3) }))).error?.code).toBe('JOB_UNKNOWN');
    expect((await a.handle(msg('setup', { datasetKey: 'german-bank-a', encoder: '{not json', model: '{}' }))).error?.code).toBe('BAD_MESSAGE');
  });

  it('validates hostile training messages (wrong length, NaN, out-of-range settings)', async () => {
    const a = app();
    const stats = await a.handle(msg('stats', { datasetKey: 'german-bank-a' }));
    expect(stats.error).toBeUndefined();
    const encoder = { format: 'fedcredit-encoder', version: 1, features: [{ kind: 'numeric', column: 'duration', mean: 20, std: 12, impute: 18 }] };
    const setup = await a.handle(msg('setup', { datasetKey: 'german-bank-a', encoder: JSON.stringify(encoder), model: JSON.stringify({ kind: 'logreg', config: {} }), seed: 1 }));
    expect(setup.error).toBeUndefined();
    const cases: [Record<string, number | string | boolean>, Float64Array, RegExp][] = [
      [{}, new Float64Array(5), /expected 2 values/],
      [{}, new Float64Array([NaN, 0]), /not a finite number/],
      [{ lr: -1 }, new Float64Array(2), /config.lr/],
      [{ epochs: 1e9 }, new Float64Array(2), /config.epochs/],
      [{ optimizer: 'rmsprop' }, new Float64Array(2), /config.optimizer/],
      [{ batchSize: 'many' }, new Float64Array(2), /config.batchSize/],
    ];
    for (const [config, parameters, pattern] of cases) {
      const reply = await a.handle(msg('train', config, { parameters }));
      expect(reply.error?.message).toMatch(pattern);
    }
    const ok = await a.handle(msg('train', { lr: 0.1 }, { parameters: new Float64Array(2) }));
    expect(ok.error).toBeUndefined();
    expect(ok.config.numExamples).toBe(200);
  });

  it('runs mods around handlers, outermost first, and lets a mod refuse', async () => {
    const order: string[] = [];
    const trace = (name: string): Mod => async (m, next) => { order.push(`${name}>`); const r = await next(m); order.push(`<${name}`); return r; };
    const refuseMlp: Mod = async (m, next) => (m.type === 'setup' && String(m.config.model).includes('mlp') ? replyTo(m, { error: { code: 'POLICY_REFUSED', message: 'model mlp not allowed by the owner' } }) : next(m));
    const a = app([trace('outer'), trace('inner'), refuseMlp]);
    await a.handle(msg('stats', { datasetKey: 'german-bank-a' }));
    expect(order).toEqual(['outer>', 'inner>', '<inner', '<outer']);
    const refused = await a.handle(msg('setup', { datasetKey: 'german-bank-a', model: JSON.stringify({ kind: 'mlp', config: {} }), encoder: '{}' }));
    expect(refused.error?.code).toBe('POLICY_REFUSED');
  });
});
