/** Risk flags of a scored application and the validation of the workspace's query. */
import { describe, expect, it } from 'vitest';
import { germanSchema } from '../../../src/data/builtin/german.js';
import { FLAG_BITS, flagNames, flagsOf, inputRangesOf, outOfRangeFields } from '../../../src/node/workspace/flags.js';
import { parseApplicationQuery, parseFeedback } from '../../../src/node/workspace/query.js';
import { SEED_RECORD, trained } from '../../scoring/fixture.js';

const thresholds = { review: 0.3, decline: 0.5 };

describe('flagsOf', () => {
  it('sets each flag on its own condition', () => {
    expect(flagNames(flagsOf({ probabilityOfDefault: 0.1, decision: 'approve', thresholds, outOfRange: [] }))).toEqual([]);
    expect(flagNames(flagsOf({ probabilityOfDefault: 0.31, decision: 'review', thresholds, outOfRange: [] }))).toEqual(['review', 'near_threshold']);
    expect(flagNames(flagsOf({ probabilityOfDefault: 0.49, decision: 'review', thresholds, outOfRange: [] }))).toEqual(['review', 'near_threshold']);
    expect(flagNames(flagsOf({ probabilityOfDefault: 0.8, decision: 'decline', thresholds, outOfRange: ['age'] }))).toEqual(['decline', 'high_pd', 'out_of_range']);
    expect(flagsOf({ probabilityOfDefault: 0.4, decision: 'review', thresholds, outOfRange: [] })).toBe(FLAG_BITS.review);
  });

  it('judges inputs against the training data: numbers outside its range, codes it never holds', () => {
    const ranges = inputRangesOf(trained().table);
    expect(outOfRangeFields(germanSchema.columns, SEED_RECORD, ranges)).toEqual([]);
    expect(outOfRangeFields(germanSchema.columns, { ...SEED_RECORD, age: 18, creditamount: 20_000 }, ranges)).toEqual(['creditamount', 'age']);
    const narrow = { numeric: new Map(), categorical: new Map([['purpose', new Set(['A40'])]]) };
    expect(outOfRangeFields(germanSchema.columns, SEED_RECORD, narrow)).toEqual(['purpose']);
    expect(outOfRangeFields(germanSchema.columns, SEED_RECORD, undefined)).toEqual([]);
  });
});

describe('parseApplicationQuery', () => {
  it('fills defaults and reads every filter', () => {
    expect(parseApplicationQuery({})).toEqual({ ok: true, value: { page: 1, pageSize: 50, sort: 'time', order: 'desc' } });
    expect(parseApplicationQuery({ page: '3', pageSize: '200', decision: 'review', flag: 'high_pd', pdMin: '0.1', pdMax: '0.9', q: 'ab-12', feedback: 'without', sort: 'pd', order: 'asc' })).toEqual({
      ok: true, value: { page: 3, pageSize: 200, decision: 'review', flagBit: FLAG_BITS.high_pd, pdMin: 0.1, pdMax: 0.9, idContains: 'ab-12', hasFeedback: false, sort: 'pd', order: 'asc' },
    });
  });

  it('lists every problem with field, expected and got', () => {
    const parsed = parseApplicationQuery({ pageSize: '201', pdMin: 'NaN', q: 'x'.repeat(65), order: ['asc', 'desc'] });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.issues.map((i) => i.field)).toEqual(['pageSize', 'pdMin', 'q', 'order']);
    expect(parsed.issues[0]).toMatchObject({ expected: 'a whole number from 1 to 200', got: '"201"' });
  });
});

describe('parseFeedback', () => {
  it('accepts the three outcomes with an optional note, trimmed', () => {
    expect(parseFeedback({ outcome: 'bad' })).toEqual({ ok: true, value: { outcome: 'bad' } });
    expect(parseFeedback({ outcome: 'good', note: '  paid early ' })).toEqual({ ok: true, value: { outcome: 'good', note: 'paid early' } });
    expect(parseFeedback({ outcome: 'false-positive', note: '   ' })).toEqual({ ok: true, value: { outcome: 'false-positive' } });
  });

  it('refuses anything else', () => {
    for (const body of [null, 'bad', [], {}, { outcome: 'Bad' }, { outcome: 'bad', note: 5 }, { outcome: 'bad', note: 'x'.repeat(2001) }, { outcome: 'bad', who: 'me' }]) {
      expect(parseFeedback(body).ok, JSON.stringify(body)).toBe(false);
    }
  });
});
