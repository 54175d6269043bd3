import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { norm2 } from '../../src/math/linalg.js';
import { parseNodeConfig, privacyBudgetsOf, privacyLedgerFile } from '../../src/node/config.js';
import { createCreditHandlers } from '../../src/node/creditHandlers.js';
import { readPrivacy } from '../../src/node/privateTrain.js';
import { createMessage } from '../../src/protocol/message.js';
import { dataset, dpsgd, encoder, initialParameters, privateNode } from './privacyFixture.js';

const dir = mkdtempSync(join(tmpdir(), 'fedcredit-private-train-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('private training in the train handler', () => {
  it('DP-SGD from the job seed repeats bit for bit, replies no loss, and differs from plain training', async () => {
    const [a, b] = [privateNode({ withoutPrivacyMod: true }), privateNode({ withoutPrivacyMod: true })];
    await a.setup();
    await b.setup();
    const privacy = dpsgd({ noiseMultiplier: 1.1 });
    const ra = await a.train(1, privacy);
    const rb = await b.train(1, privacy);
    expect(ra.error).toBeUndefined();
    expect(Array.from(ra.arrays.parameters)).toEqual(Array.from(rb.arrays.parameters));
    expect(ra.config).toEqual({ numExamples: 200, dpSteps: 10 });
    const plain = await a.train(1);
    expect(Array.from(plain.arrays.parameters)).not.toEqual(Array.from(ra.arrays.parameters));
    expect(typeof plain.config.loss).toBe('number');
  });

  it('DP-SGD with OS randomness differs between two runs of the same round', async () => {
    const handlers = createCreditHandlers(new Map([[dataset.key, dataset]]));
    const msg = (type: string, config: Record<string, string | number>, arrays = {}) => createMessage({ type, jobId: 'os-job', round: 1, nodeId: 'bank-a', config: { datasetKey: 'german-credit', ...config }, arrays });
    await handlers.setup(msg('setup', { encoder: JSON.stringify(encoder), model: JSON.stringify({ kind: 'logreg', config: {} }), seed: 1 }));
    const train = () => handlers.train(msg('train', { privacy: dpsgd({ noiseMultiplier: 1.1 }) }, { parameters: initialParameters() }));
    const [x, y] = [await train(), await train()];
    expect(Array.from(x.arrays.parameters)).not.toEqual(Array.from(y.arrays.parameters));
  });

  it('DP-FedAvg replies global + an update clipped to S, with weight 1', async () => {
    const n = privateNode({ withoutPrivacyMod: true });
    await n.setup();
    const privacy = JSON.stringify({ mechanism: 'dp-fedavg', noiseMultiplier: 1e-9, clipNorm: 0.25, nodeSampleRate: 1, numNodes: 1, delta: 1e-5, rounds: 5 });
    const reply = await n.train(1, privacy);
    expect(reply.error).toBeUndefined();
    expect(reply.config).toEqual({ numExamples: 1 });
    const global = initialParameters();
    const update = reply.arrays.parameters.map((v, i) => v - global[i]);
    expect(norm2(update)).toBeLessThanOrEqual(0.25 + 1e-6); // float32 rounding of the reply
    expect(norm2(update)).toBeGreaterThan(0.2); // a round of local training moves further than S
  });

  it('refuses DP with balanced class weights or FedProx, and malformed settings', async () => {
    const n = privateNode({ withoutPrivacyMod: true });
    await n.setup();
    const privacy = dpsgd({ noiseMultiplier: 1 });
    expect((await n.send('train', { privacy, classWeights: 'balanced' }, { round: 1, arrays: { parameters: initialParameters() } })).error?.message).toMatch(/classWeights/);
    expect((await n.send('train', { privacy, proximalMu: 0.1 }, { round: 1, arrays: { parameters: initialParameters() } })).error?.message).toMatch(/proximalMu/);
    expect(() => readPrivacy({ privacy: '{' })).toThrow(/not valid JSON/);
    expect(() => readPrivacy({ privacy: JSON.stringify({ mechanism: 'dpsgd' }) })).toThrow(/config.privacy: .*required/);
    expect(() => readPrivacy({ privacy: dpsgd({ targetEpsilon: 0.01 }) })).toThrow(/config.privacy: targetEpsilon/);
    expect(readPrivacy({})).toBeUndefined();
    expect(() => createCreditHandlers(new Map(), { dpRandomness: 'dice' as never })).toThrow(/dpRandomness/);
  });
});

describe('node configuration: datasets[].privacy', () => {
  const parse = (privacy: string) => {
    writeFileSync(join(dir, 'a.csv'), 'unused');
    return parseNodeConfig(`institution: Bank A\nnodeName: bank-a\ndatasets:\n  - key: german-credit\n    file: a.csv\n    schema: german\n${privacy}`, { file: 'node.yaml', baseDir: dir });
  };

  it('reads a budget (YAML 1e-5 is a number) and maps budgets by dataset key', () => {
    const config = parse('    privacy:\n      budget: { epsilon: 3, delta: 1e-5 }\n');
    expect(config.datasets[0].privacy).toEqual({ budget: { epsilon: 3, delta: 1e-5 } });
    expect(privacyBudgetsOf(config)).toEqual({ 'german-credit': { epsilon: 3, delta: 1e-5 } });
    expect(privacyBudgetsOf(parse(''))).toEqual({});
    expect(privacyLedgerFile('/data/bank-a')).toBe('/data/bank-a/privacy-ledger.json');
  });

  it.each([
    ['    privacy:\n      budget: { epsilon: 3 }\n', /datasets\[0\]\.privacy\.budget\.delta: required/],
    ['    privacy:\n      budget: { epsilon: 0, delta: 1e-5 }\n', /datasets\[0\]\.privacy\.budget\.epsilon: expected a number strictly between 0 and 1000/],
    ['    privacy:\n      budget: { epsilon: 1, delta: 0.5 }\n', /privacy\.budget\.delta: expected a number strictly between 0 and 0\.1/],
    ['    privacy:\n      budjet: { epsilon: 1, delta: 1e-5 }\n', /privacy\.budjet: unknown key \(did you mean "budget"\?\)/],
    ['    privacy: 3\n', /datasets\[0\]\.privacy: expected a mapping/],
  ])('reports a bad privacy section: %s', (yaml, message) => {
    expect(() => parse(yaml)).toThrow(message);
  });
});
