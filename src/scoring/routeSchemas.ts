/**
 * JSON Schemas of the scoring routes, for the OpenAPI document (@fastify/swagger reads them from
 * the routes) and for fast response serialization. Request bodies are described here but NOT
 * validated by Fastify: ./validate.ts does that and lists every problem, where a schema
 * validator would stop at the first one with a less useful message.
 */
import type { ColumnSpec, Schema } from '../data/schema.js';
import { ISSUE_CODES } from './issues.js';

/** Schema of one record of `schema`: every column required, nothing else allowed. */
export function recordJsonSchema(schema: Schema): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const c of schema.columns) properties[c.name] = columnJsonSchema(c);
  return { type: 'object', properties, required: schema.columns.map((c) => c.name), additionalProperties: false };
}

function columnJsonSchema(c: ColumnSpec): Record<string, unknown> {
  const description = [c.description, c.unit ? `(${c.unit})` : undefined, c.protected ? '[protected attribute: not a model feature]' : undefined]
    .filter((s) => s !== undefined)
    .join(' ');
  if (c.kind === 'numeric') {
    return { type: c.integer ? 'integer' : 'number', description, ...(c.min !== undefined && { minimum: c.min }), ...(c.max !== undefined && { maximum: c.max }) };
  }
  const labels = c.labels;
  const codebook = labels && c.categories ? ` Codes: ${c.categories.map((k) => `${k} = ${labels[k] ?? k}`).join('; ')}.` : '';
  return { type: 'string', description: `${description}.${codebook}`, ...(c.categories && { enum: [...c.categories] }) };
}

/** One issue of a rejected request (see ./issues.ts). */
export const issueJsonSchema = {
  type: 'object',
  properties: {
    index: { type: 'integer', description: 'Position of the record in the batch (absent for problems of the whole body)' },
    field: { type: 'string' },
    code: { type: 'string', enum: [...ISSUE_CODES] },
    expected: { type: 'string' },
    got: { type: 'string', description: 'Preview of the received value, at most 100 characters plus …' },
  },
  required: ['code', 'expected', 'got'],
} as const;

/** Every non-2xx answer of the scoring routes. */
export const errorJsonSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'string',
      description: 'invalid_request | invalid_json | payload_too_large | unsupported_media_type | unknown_dataset | model_unavailable | bad_request | internal_error',
    },
    message: { type: 'string' },
    issues: { type: 'array', items: issueJsonSchema },
    numIssues: { type: 'integer', description: 'All issues found; more than issues.length when the list was capped' },
  },
  required: ['error', 'message'],
} as const;

/** Answer of /predictCreditRisk: one single-element array per record, 1 = good, 2 = bad. */
export const legacyResponseJsonSchema = {
  type: 'array',
  items: { type: 'array', items: { type: 'integer', enum: [1, 2] }, minItems: 1, maxItems: 1 },
} as const;

const reasonJsonSchema = {
  type: 'object',
  properties: {
    field: { type: 'string' },
    value: { type: ['string', 'number', 'null'] },
    description: { type: 'string', description: "The value in the codebook's words" },
    contribution: { type: 'number', description: 'Contribution to the logit of default, > 0 pushes towards default' },
  },
  required: ['field', 'value', 'description', 'contribution'],
} as const;

/** Answer of /api/v1/score. */
export const scoreResponseJsonSchema = {
  type: 'object',
  properties: {
    dataset: { type: 'string' },
    modelVersion: { type: 'string' },
    thresholds: {
      type: 'object',
      properties: { review: { type: 'number' }, decline: { type: 'number' } },
      required: ['review', 'decline'],
    },
    results: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          probabilityOfDefault: { type: 'number' },
          score: { type: 'integer', description: 'Points: 600 at odds 50:1, +20 points per doubling of the odds of good' },
          decision: { type: 'string', enum: ['approve', 'review', 'decline'] },
          reasons: { type: 'array', items: reasonJsonSchema },
        },
        required: ['probabilityOfDefault', 'score', 'decision', 'reasons'],
      },
    },
  },
  required: ['dataset', 'modelVersion', 'thresholds', 'results'],
} as const;

/** Request of /api/v1/score. */
export function scoreRequestJsonSchema(maxRecords: number, example: Schema): Record<string, unknown> {
  return {
    type: 'object',
    properties: {
      dataset: { type: 'string', description: `Dataset (schema) key; default: the node's default model (e.g. "${example.name}")` },
      records: {
        type: 'array',
        minItems: 1,
        maxItems: maxRecords,
        items: { type: 'object', description: 'One applicant: every column of the dataset schema, nothing else' },
      },
    },
    required: ['records'],
    additionalProperties: false,
  };
}
