/**
 * The proxy check: leaving a protected attribute out of the features does not make a model
 * blind to it when other features predict it (housing and job predict age; the purpose of a
 * loan may predict sex). For each protected group, a logistic regression predicts membership
 * (one group against the rest) from the model's own encoded features, trained federatedly by
 * the core round loop and scored by federated evaluation on the nodes' test rows; its AUC says
 * how much of the attribute the features carry.
 *
 * "Proxies remain" when the best AUC exceeds 0.7: the lower bound of "acceptable
 * discrimination" in Hosmer, Lemeshow & Sturdivant, "Applied Logistic Regression", 3rd ed.,
 * Wiley 2013, §5.2.4 — the features then identify the group well enough for a model to treat it
 * differently without ever seeing it. Two-group attributes need one regression (the other
 * group's is the same ranking reversed); unknown-group applicants count as not in the group.
 */
import { federatedEvaluate } from '../coordinator/evaluate.js';
import { exchange } from '../coordinator/exchange.js';
import { runRounds, type TrainSettings } from '../coordinator/roundLoop.js';
import type { EncoderSpec } from '../preprocess/encoder.js';
import type { FederationTarget } from '../scorecard/federated.js';
import { retypeTransport } from '../scorecard/retypedTransport.js';
import { createStrategy } from '../strategy/index.js';
import type { FairnessAttribute } from './groups.js';
import { FAIRNESS_MESSAGES } from './handlers.js';

/** Best proxy AUC above which "proxies remain" (see the module doc). */
export const PROXY_AUC_THRESHOLD = 0.7;

/** Training of the proxy regressions: balanced classes, since a group may be rare. */
export const PROXY_TRAIN_DEFAULTS: TrainSettings = Object.freeze({ epochs: 1, batchSize: 32, lr: 0.05, optimizer: 'adam', l2: 1e-3, classWeights: 'balanced' });

/** Options of {@link proxyCheck}. */
export interface ProxyCheckRequest extends FederationTarget {
  readonly encoder: EncoderSpec;
  readonly attribute: FairnessAttribute;
  readonly seed: number | string;
  /** Default 30. */
  readonly rounds?: number;
  readonly train?: TrainSettings;
}

/** How well the features predict one group. */
export interface ProxyGroup {
  readonly group: string;
  /** Federated test AUC; NaN when the test rows hold no member or only members. */
  readonly auc: number;
  readonly numMembers: number;
}

/** The proxy check of one attribute. */
export interface ProxyResult {
  readonly attribute: string;
  readonly groups: ProxyGroup[];
  /** Best AUC over the groups (NaN when none is defined). */
  readonly maxAuc: number;
  readonly proxiesRemain: boolean;
}

/**
 * Train and evaluate the proxy regressions of one attribute (see the module doc).
 *
 * @example const { proxiesRemain } = await proxyCheck({ ...target, encoder, attribute: GERMAN_FAIRNESS_ATTRIBUTES[0], seed: 42 });
 */
export async function proxyCheck(request: ProxyCheckRequest): Promise<ProxyResult> {
  const { attribute } = request;
  const targets = attribute.groups.length === 2 ? [0] : attribute.groups.map((_, g) => g);
  const transport = retypeTransport(request.transport, { train: FAIRNESS_MESSAGES.proxyTrain, evaluate: FAIRNESS_MESSAGES.proxyEvaluate });
  const groups: ProxyGroup[] = [];
  for (const g of targets) {
    const jobId = `${request.jobId}:proxy:${attribute.column}:${g}`;
    await exchange({
      transport: request.transport, jobId, round: 0, type: FAIRNESS_MESSAGES.proxySetup, nodeIds: request.nodeIds,
      config: { datasetKey: request.datasetKey, encoder: JSON.stringify(request.encoder), attribute: JSON.stringify(attribute), group: g, seed: request.seed },
      timeoutMs: request.timeoutMs, minReplies: request.minNodes,
    });
    const rounds = request.rounds ?? 30;
    const { parameters } = await runRounds({
      transport, strategy: createStrategy('fedavg'), jobId, seed: request.seed, rounds,
      initialParameters: new Float64Array(request.encoder.features.length + 1),
      train: request.train ?? PROXY_TRAIN_DEFAULTS, minNodes: request.minNodes, timeoutMs: request.timeoutMs,
      evaluateEveryRound: false, aggregator: request.aggregator,
    });
    let auc = NaN;
    let numMembers = 0;
    try {
      const metrics = await federatedEvaluate({ transport, jobId, round: rounds, nodeIds: request.nodeIds, parameters, minNodes: request.minNodes, timeoutMs: request.timeoutMs, aggregator: request.aggregator });
      auc = metrics.auc;
      numMembers = metrics.numBad;
    } catch (err) {
      // A group absent from (or filling) every test split has no AUC; anything else is a failure.
      if (!(err instanceof RangeError)) throw err;
    }
    groups.push({ group: attribute.groups[g].name, auc, numMembers });
  }
  const defined = groups.map((g) => g.auc).filter((a) => !Number.isNaN(a));
  const maxAuc = defined.length ? Math.max(...defined) : NaN;
  return { attribute: attribute.name, groups, maxAuc, proxiesRemain: maxAuc > PROXY_AUC_THRESHOLD };
}
