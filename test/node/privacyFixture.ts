/**
 * A lender node for the privacy tests: German credit rows, the real credit and analytics
 * handlers (seeded DP randomness) wrapped so the tests can see which handlers ran, the privacy
 * mod over a ledger, and message builders for a job's conversation.
 */
import { builtinDataPath, getBuiltinSchema } from '../../src/data/builtin/index.js';
import { loadCsv } from '../../src/data/csv.js';
import { selectRows } from '../../src/data/schema.js';
import { deriveRandom } from '../../src/math/random.js';
import { createModel } from '../../src/model/factory.js';
import { createAnalyticsHandler } from '../../src/node/analytics.js';
import { NodeApp, type Handler, type Mod } from '../../src/node/app.js';
import { createCreditHandlers } from '../../src/node/creditHandlers.js';
import type { NodeDataset } from '../../src/node/jobContext.js';
import { privacyMod } from '../../src/node/privacyMod.js';
import { seededNoiseSource } from '../../src/privacy/noiseSource.js';
import { PrivacyLedger, type PrivacyBudget } from '../../src/privacy/ledger.js';
import { createMessage, type ConfigValue } from '../../src/protocol/message.js';
import { encoderFor } from '../../src/simulation/baselines.js';

export const table = loadCsv(builtinDataPath('german'), getBuiltinSchema('german'));
export const rows = (start: number, count: number) => selectRows(table, Array.from({ length: count }, (_, i) => start + i));
export const dataset: NodeDataset = { key: 'german-credit', train: rows(0, 200), test: rows(200, 50) };
export const encoder = encoderFor(dataset.train);
export const numParameters = encoder.features.length + 1;
export const initialParameters = () => createModel('logreg', encoder.features.length, {}, deriveRandom(1, 'init')).getParameters();

/** DP-SGD settings as a job sends them. */
export const dpsgd = (o: { targetEpsilon?: number; noiseMultiplier?: number; rounds?: number } = {}) => JSON.stringify({
  mechanism: 'dpsgd', ...(o.noiseMultiplier !== undefined ? { noiseMultiplier: o.noiseMultiplier } : { targetEpsilon: o.targetEpsilon ?? 1 }),
  maxGradNorm: 1, sampleRate: 0.1, delta: 1e-5, rounds: o.rounds ?? 3, epochs: 1,
});

/** A node with the privacy mod (and optional extra mods in front), recording handler calls. */
export function privateNode(o: { budget?: PrivacyBudget; file?: string; ledger?: PrivacyLedger; mods?: Mod[]; withoutPrivacyMod?: boolean } = {}) {
  const ledger = o.ledger ?? PrivacyLedger.open({ file: o.file, budgets: o.budget ? { 'german-credit': o.budget } : {}, releaseReservations: true });
  const calls: string[] = [];
  const datasets = new Map([[dataset.key, dataset]]);
  let queries = 0;
  const raw: Record<string, Handler> = {
    ...createCreditHandlers(datasets, { dpRandomness: 'seeded' }),
    analytics: createAnalyticsHandler(datasets, { noise: () => seededNoiseSource(deriveRandom(5, 'analytics', ++queries)) }),
  };
  const handlers = Object.fromEntries(Object.entries(raw).map(([type, h]) => [type, ((m) => { calls.push(type); return h(m); }) as Handler]));
  const app = new NodeApp({ nodeId: 'bank-a', handlers, mods: [...(o.mods ?? []), ...(o.withoutPrivacyMod ? [] : [privacyMod({ ledger })])] });
  const send = (type: string, config: Record<string, ConfigValue> = {}, x: { round?: number; jobId?: string; arrays?: Record<string, Float64Array> } = {}) =>
    app.handle(createMessage({ type, jobId: x.jobId ?? 'job-1', round: x.round ?? 0, nodeId: 'bank-a', config: { datasetKey: 'german-credit', ...config }, arrays: x.arrays ?? {} }));
  const setupConfig = { encoder: JSON.stringify(encoder), model: JSON.stringify({ kind: 'logreg', config: {} }), seed: 11 };
  const setup = (privacy?: string, jobId?: string) => send('setup', { ...setupConfig, ...(privacy ? { privacy } : {}) }, { jobId });
  const train = (round: number, privacy?: string, jobId?: string) =>
    send('train', { lr: 0.05, optimizer: 'adam', l2: 1e-3, ...(privacy ? { privacy } : {}) }, { round, jobId, arrays: { parameters: initialParameters() } });
  return { app, ledger, calls, send, setup, train };
}
