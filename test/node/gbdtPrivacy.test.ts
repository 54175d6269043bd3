/**
 * Boosted trees have no differentially private mode, so a dataset whose owner set a privacy
 * budget (and so accepts DP jobs only) must refuse a boosting job at its first data message,
 * the quantile sketch, and at setup: no histogram of its rows leaves the node without noise.
 */
import { describe, expect, it } from 'vitest';
import { NodeApp, type Handler } from '../../src/node/app.js';
import { createGbdtHandlers } from '../../src/node/gbdtHandlers.js';
import { privacyMod } from '../../src/node/privacyMod.js';
import { PrivacyLedger } from '../../src/privacy/ledger.js';
import { createMessage, type ConfigValue } from '../../src/protocol/message.js';
import { dataset, dpsgd } from './privacyFixture.js';

function node(budget: boolean) {
  const ledger = PrivacyLedger.open({ budgets: budget ? { 'german-credit': { epsilon: 3, delta: 1e-5 } } : {}, releaseReservations: true });
  const calls: string[] = [];
  const handlers = Object.fromEntries(Object.entries(createGbdtHandlers(new Map([[dataset.key, dataset]]))).map(([type, h]) => [type, ((m) => { calls.push(type); return h(m); }) as Handler]));
  const app = new NodeApp({ nodeId: 'bank-a', handlers, mods: [privacyMod({ ledger })] });
  const send = (type: string, config: Record<string, ConfigValue> = {}) => app.handle(createMessage({ type, jobId: 'job-1', round: 0, nodeId: 'bank-a', config: { datasetKey: 'german-credit', ...config } }));
  return { send, calls, ledger };
}
const features = JSON.stringify([{ kind: 'numeric', column: 'duration', edges: [12, 24] }]);

describe('boosting on a dataset with a privacy budget', () => {
  it('refuses the sketch and setup, with or without privacy settings; nothing is computed or charged', async () => {
    const { send, calls, ledger } = node(true);
    for (const privacy of [undefined, dpsgd()]) {
      const extra: Record<string, ConfigValue> = privacy ? { privacy } : {};
      const sketch = await send('gbdt.sketch', extra);
      expect(sketch.error?.code).toBe('PRIVACY_REQUIRED');
      expect(sketch.error?.message).toMatch(/boosted trees have no differentially private mode/);
      expect((await send('gbdt.setup', { features, ...extra })).error?.code).toBe('PRIVACY_REQUIRED');
    }
    expect(calls).toEqual([]);
    expect(ledger.list('german-credit')).toEqual([]);
  });

  it('answers as usual on a dataset without a budget', async () => {
    const { send, calls } = node(false);
    expect((await send('gbdt.sketch')).error).toBeUndefined();
    expect((await send('gbdt.setup', { features })).error).toBeUndefined();
    expect(calls).toEqual(['gbdt.sketch', 'gbdt.setup']);
  });
});
