/**
 * The scoring service of a lender node: request validation with coded issues, the Scorer
 * (probability of default, points, decision, reasons in the codebook's words) and the Fastify
 * routes `/predictCreditRisk` (old contract) and `/api/v1/score`, and counterfactual explanations
 * ("what would change the decision") over the fields an applicant can act on.
 */
export { MAX_DATASET_KEY_CHARS, parseScoreEnvelope, type ScoreEnvelope } from './envelope.js';
export { ABSENT, ISSUE_CODES, PREVIEW_CHARS, expectedFor, preview, type Issue, type IssueCode } from './issues.js';
export {
  DEFAULT_MAX_ISSUES,
  DEFAULT_MAX_RECORDS,
  parseRecords,
  type ParseRecordsOptions,
  type ParseRecordsResult,
} from './validate.js';
export { DEFAULT_SCORE_SCALE, checkScoreScale, pointsFromLogit, type ScoreScale } from './scale.js';
export { attributorFor, type Attribution, type Attributor } from './attribution.js';
export { baselineFromColumnStats, baselineFromStats, baselineFromTable } from './baseline.js';
export { describeValue, rawValue, topPositive, type Reason } from './reasons.js';
export {
  DEFAULT_THRESHOLDS,
  Scorer,
  type Decision,
  type Explanation,
  type ScoreResult,
  type ScorerOptions,
  type Thresholds,
} from './scorer.js';
export { ALWAYS_IMMUTABLE_NAMES, allowsChange, fieldActionability, type Actionability, type FieldActionability } from './actionability.js';
export {
  counterfactuals,
  counterfactualsOfTable,
  describeChange,
  type Counterfactual,
  type CounterfactualAnswer,
  type CounterfactualOptions,
  type FieldChange,
} from './counterfactual.js';
export { scoringRoutes, type ScoredBatchInfo, type ScoringRoutesOptions } from './routes.js';
export { errorJsonSchema, issueJsonSchema, recordJsonSchema } from './routeSchemas.js';
