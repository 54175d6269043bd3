/**
 * The privacy-budget mod, placed after the owner's policy mod: it admits a private job only if
 * its whole plan fits what is left of the dataset's budget, refusing *before* any computation,
 * and charges every release to the node's {@link PrivacyLedger} before the release leaves.
 *
 * - `describe` / `stats` of a job that declares `config.privacy`: the plan is checked against
 *   the budget (no reservation yet), so an over-budget job fails before preprocessing. Every
 *   answered `describe` of a dataset with a budget carries the budget and what is left of it.
 * - `setup`: the plan is reserved; the job's later rounds charge against the reservation.
 * - `train` of a private job: the round's cost is checked before training and charged after
 *   it (key `jobId:round`). The reply is kept, so a replayed round gets the very same answer and
 *   is charged once; a round released before a restart is refused (PRIVACY_ALREADY_RELEASED)
 *   rather than answered again with fresh noise, which would be a second release.
 * - `analytics`: the query's cost is checked, the answer computed and charged
 *   (key `analytics:jobId:queryId`); queries need a dataset with a budget.
 * - Datasets with a budget accept private jobs only: the owner chose privacy, so `stats`,
 *   `setup` and `train` of a job without `config.privacy` are refused with PRIVACY_REQUIRED,
 *   and so are boosting jobs (`gbdt.sketch`, `gbdt.setup`), which have no DP mode.
 *
 * Not covered by the budget (see docs/privacy.md): the preprocessing statistics (`stats`, sums
 * and histograms over the training rows, released without noise in this version), the row
 * counts, and the evaluation histograms over the held-out test rows.
 */
import { FedCreditError } from '../errors.js';
import { epsilonOfCost, type PrivacyCost } from '../privacy/cost.js';
import type { PrivacyLedger, SpendKind } from '../privacy/ledger.js';
import type { ResolvedPrivacy } from '../privacy/plan.js';
import { ProtocolError, readJson } from '../protocol/config.js';
import { replyTo, type Message, type Reply } from '../protocol/message.js';
import { analyticsSpend, parseAnalyticsQuery } from './analytics.js';
import type { Mod } from './app.js';
import { readPrivacy } from './privateTrain.js';

/** Replies kept for replays; older ones are forgotten first. */
const REPLY_CACHE_LIMIT = 1000;

/**
 * Build the mod over the node's ledger.
 *
 * @example
 * mods: [auditLogMod(log), admitAnalyticsAsDescribe(policyMod(...)), privacyMod({ ledger })]
 */
export function privacyMod(options: { readonly ledger: PrivacyLedger }): Mod {
  const ledger = options?.ledger;
  if (!ledger || typeof ledger.charge !== 'function' || typeof ledger.reserve !== 'function') throw new TypeError('options.ledger: expected a PrivacyLedger');
  const declared = new Map<string, { json: string; privacy: ResolvedPrivacy }>();
  const datasetOf = new Map<string, string>();
  const replies = new Map<string, Reply>();

  const refuse = (message: Message, code: string, text: string): Reply => replyTo(message, { error: { code, message: text } });
  const kindOf = (privacy: ResolvedPrivacy): SpendKind => privacy.mechanism;
  const planOf = (jobId: string, datasetKey: string, privacy: ResolvedPrivacy) => ({ jobId, datasetKey, cost: privacy.plannedCost, epsilon: privacy.plannedEpsilon, delta: privacy.delta });
  const remember = (key: string, reply: Reply): void => {
    if (replies.size >= REPLY_CACHE_LIMIT) replies.delete(replies.keys().next().value!);
    replies.set(key, reply);
  };
  const required = (message: Message, datasetKey: string): Reply =>
    refuse(message, 'PRIVACY_REQUIRED', `dataset ${datasetKey} has a privacy budget; the owner accepts differentially private jobs only (submit the job with a privacy section)`);

  /** The job's privacy settings from this message or an earlier one; refuses a change of plan. */
  const privacyOf = (message: Message): ResolvedPrivacy | undefined => {
    const own = readPrivacy(message.config);
    const earlier = declared.get(message.jobId);
    if (own && earlier && JSON.stringify(own) !== earlier.json) {
      throw new ProtocolError(`job "${message.jobId}" changed its privacy settings after it was admitted`, 'PRIVACY_SETTINGS_CHANGED');
    }
    if (own && !earlier) declared.set(message.jobId, { json: JSON.stringify(own), privacy: own });
    return own ?? earlier?.privacy;
  };

  const checkPlan = (jobId: string, datasetKey: string, privacy: ResolvedPrivacy): void => {
    const left = ledger.uncharged(planOf(jobId, datasetKey, privacy));
    if (left) ledger.check(datasetKey, left, 'job', jobId);
  };

  const admit = async (message: Message, next: (m: Message) => Promise<Reply>): Promise<Reply> => {
    const datasetKey = message.config.datasetKey;
    if (typeof datasetKey !== 'string') return next(message);
    datasetOf.set(message.jobId, datasetKey);
    const privacy = privacyOf(message);
    const budget = ledger.budget(datasetKey);
    if (!privacy) return budget && message.type !== 'describe' ? required(message, datasetKey) : next(message);
    if (!budget) return next(message);
    if (message.type !== 'setup') {
      checkPlan(message.jobId, datasetKey, privacy);
      return next(message);
    }
    const hadReservation = ledger.reservation(message.jobId) !== undefined;
    ledger.reserve({ ...planOf(message.jobId, datasetKey, privacy), kind: kindOf(privacy) });
    const reply = await next(message);
    if (reply.error && !hadReservation) ledger.release(message.jobId);
    return reply;
  };

  /**
   * A successful `describe` of a dataset with a budget tells the coordinator the owner's budget
   * and what is left of it (`config.privacyBudget`, JSON {epsilon, delta, remainingEpsilon}), so
   * the federation's dashboard can show spent against budget. Policy, not data; the node's
   * ledger stays the authority.
   */
  const withBudget = (message: Message, reply: Reply): Reply => {
    const datasetKey = message.config.datasetKey;
    if (reply.error || typeof datasetKey !== 'string') return reply;
    const budget = ledger.budget(datasetKey);
    const remaining = ledger.remaining(datasetKey);
    if (!budget || remaining === undefined) return reply;
    return { ...reply, config: { ...reply.config, privacyBudget: JSON.stringify({ epsilon: budget.epsilon, delta: budget.delta, remainingEpsilon: remaining }) } };
  };

  /** Check, compute, charge, remember: the common path of every release. */
  const release = async (message: Message, next: (m: Message) => Promise<Reply>, charge: Parameters<PrivacyLedger['charge']>[0]): Promise<Reply> => {
    const cached = replies.get(charge.key);
    if (cached) return { ...cached, replyTo: message.messageId };
    if (ledger.entry(charge.key)) {
      return refuse(message, 'PRIVACY_ALREADY_RELEASED', `${charge.kind === 'analytics' ? 'query' : `round ${message.round} of job "${message.jobId}"`} was already answered and charged at this node; it is not answered twice`);
    }
    ledger.charge(charge, { dryRun: true });
    const reply = await next(message);
    if (reply.error) return reply;
    ledger.charge(charge);
    remember(charge.key, reply);
    return reply;
  };

  const train = async (message: Message, next: (m: Message) => Promise<Reply>): Promise<Reply> => {
    const given = message.config.datasetKey;
    const datasetKey = typeof given === 'string' ? given : datasetOf.get(message.jobId);
    if (datasetKey === undefined) return next(message); // unknown job: the handler says so
    const privacy = privacyOf(message);
    const budget = ledger.budget(datasetKey);
    if (!privacy) return budget ? required(message, datasetKey) : next(message);
    const key = `${message.jobId}:${message.round}`;
    const charged = ledger.list(datasetKey).filter((e) => e.jobId === message.jobId);
    if (budget && !ledger.reservation(message.jobId) && charged.length === 0) {
      return refuse(message, 'JOB_UNKNOWN', `job "${message.jobId}" holds no privacy reservation at this node (send setup first)`);
    }
    const previous = charged.reduce((r, e) => Math.max(r, Number(e.details.round ?? 0)), 0);
    // DP-SGD spends only when this node trains; DP-FedAvg's amplification by node sampling
    // accounts every round of the job, including the rounds this node was not sampled in.
    const steps = privacy.mechanism === 'dpsgd' ? privacy.stepsPerRound : Math.max(1, message.round - previous);
    const cost: PrivacyCost = { mechanism: 'sgm', noiseMultiplier: privacy.noiseMultiplier, sampleRate: privacy.stepSampleRate, steps };
    return release(message, next, {
      key, datasetKey, jobId: message.jobId, kind: kindOf(privacy), cost, epsilon: epsilonOfCost(cost, privacy.delta), delta: privacy.delta,
      details: { round: message.round, noiseMultiplier: privacy.noiseMultiplier },
    });
  };

  const analytics = async (message: Message, next: (m: Message) => Promise<Reply>): Promise<Reply> => {
    const datasetKey = message.config.datasetKey;
    if (typeof datasetKey !== 'string') return next(message);
    const query = parseAnalyticsQuery(readJson(message.config, 'query', 10_000));
    if (!ledger.budget(datasetKey)) {
      return refuse(message, 'PRIVACY_BUDGET_REQUIRED', `dataset ${datasetKey} has no privacy budget; the owner must set one (datasets[].privacy.budget) before it answers queries`);
    }
    const spend = analyticsSpend(query);
    const queryId = query.queryId ?? message.messageId;
    return release(message, next, {
      key: `analytics:${message.jobId}:${queryId}`, datasetKey, jobId: message.jobId, kind: 'analytics', ...spend,
      details: { query: query.kind, mechanism: query.mechanism, ...(query.column ? { column: query.column } : {}) },
    });
  };

  /** Boosted trees have no DP mode: a dataset with a budget refuses them where they start. */
  const boosting = async (message: Message, next: (m: Message) => Promise<Reply>): Promise<Reply> => {
    const datasetKey = message.config.datasetKey;
    if (typeof datasetKey !== 'string' || !ledger.budget(datasetKey)) return next(message);
    return refuse(message, 'PRIVACY_REQUIRED', `dataset ${datasetKey} has a privacy budget; the owner accepts differentially private jobs only, and boosted trees have no differentially private mode`);
  };

  const route = (message: Message, next: (m: Message) => Promise<Reply>): Promise<Reply> => {
    switch (message.type) {
      case 'describe':
        return admit(message, next).then((reply) => withBudget(message, reply));
      case 'stats':
      case 'setup':
        return admit(message, next);
      case 'train':
        return train(message, next);
      case 'analytics':
        return analytics(message, next);
      case 'gbdt.sketch':
      case 'gbdt.setup':
        return boosting(message, next);
      default:
        return next(message);
    }
  };

  return async (message, next) => {
    // The mod's own refusals become error replies here, so that outer mods (audit logging) see
    // them as answers; whatever the handler throws passes through untouched, as without the mod.
    const fromHandler = new WeakSet<object>();
    const passThrough = async (m: Message): Promise<Reply> => {
      try {
        return await next(m);
      } catch (err) {
        if (typeof err === 'object' && err !== null) fromHandler.add(err);
        throw err;
      }
    };
    try {
      return await route(message, passThrough);
    } catch (err) {
      if (err instanceof FedCreditError && !fromHandler.has(err)) return refuse(message, err.code, err.message);
      throw err;
    }
  };
}
