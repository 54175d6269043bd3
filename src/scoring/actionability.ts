/**
 * Which fields an applicant can act on. "What would change the decision" must only suggest
 * changes a person could make before applying again: the terms of the loan (amount, duration),
 * accounts and savings they hold, guarantors they bring, debts they repay. It never suggests
 * changing a protected attribute (the schema's `protected` flag: sex and marital status, age,
 * nationality in the German data) nor a fact of the past or of a person's life that cannot be
 * changed today (credit history, years in the current job, number of dependants).
 *
 * Some actionable fields only move one way: an applicant can repay credits but is not advised to
 * take more, can register a telephone but is not advised to give it up. The table says so with a
 * direction (numbers) or the values that may be suggested (codes).
 *
 * The builtin schemas have a hand-written table below, one line per column with the reason.
 * Any other schema (bring-your-own) defaults to actionable except protected columns and a few
 * column names that are immutable facts in every dataset ({@link ALWAYS_IMMUTABLE_NAMES}).
 */
import type { Schema } from '../data/schema.js';

/** Whether an applicant can change a field: only `actionable` fields are ever suggested. */
export type Actionability = 'actionable' | 'immutable' | 'protected';

/** The classification of one column, with the reason in words. */
export interface FieldActionability {
  readonly field: string;
  /** The column's description (else its name), e.g. 'Credit history'. */
  readonly title: string;
  readonly actionability: Actionability;
  /** Why, in words a loan officer can repeat, e.g. "the past cannot be changed". */
  readonly why: string;
  /** Numeric fields that only move one way (e.g. existing credits: 'decrease'). */
  readonly direction?: 'decrease' | 'increase';
  /** Code fields: the only values a suggestion may set (e.g. telephone: registered). */
  readonly allowedValues?: readonly string[];
  /**
   * Code fields: suggestions only climb this ladder (e.g. savings < 100 → 100–500 → …); from a
   * value off the ladder (savings unknown or none) any rung may be suggested.
   */
  readonly ladder?: readonly string[];
}

type Constraint = Pick<FieldActionability, 'direction' | 'allowedValues' | 'ladder'>;

/**
 * Whether a suggestion may move `field` from `from` to `to` under its direction, allowed
 * values and ladder (actionability itself is not checked here).
 *
 * @example allowsChange(savingsField, 'A62', 'A61') // false: savings are only suggested upwards
 */
export function allowsChange(field: FieldActionability, from: string | number, to: string | number): boolean {
  if (typeof from === 'number' && typeof to === 'number') {
    return field.direction === undefined || (field.direction === 'decrease' ? to < from : to > from);
  }
  if (typeof to !== 'string') return false;
  if (field.allowedValues !== undefined && !field.allowedValues.includes(to)) return false;
  if (field.ladder !== undefined) {
    const rung = field.ladder.indexOf(to);
    if (rung < 0 || (typeof from === 'string' && rung <= field.ladder.indexOf(from))) return false;
  }
  return true;
}
type Table = Readonly<Record<string, readonly [Actionability, string, Constraint?]>>;

const PAST = 'the past cannot be changed';
const LIFE = 'a circumstance of the applicant’s life, not changed for a loan application';
const TERMS = 'a term of the requested loan';

/**
 * German credit (data/README.md codebook). Protected columns (statussex, age, foreignworker)
 * are classified by the schema's flag, not here.
 */
const GERMAN: Table = {
  existingchecking: ['actionable', 'the applicant can open, close or pay into a checking account'],
  duration: ['actionable', TERMS],
  credithistory: ['immutable', PAST],
  purpose: ['immutable', 'what the money is for is the applicant’s need, not a lever to pull'],
  creditamount: ['actionable', TERMS],
  savings: ['actionable', 'the applicant can pay into savings', { ladder: ['A61', 'A62', 'A63', 'A64'] }],
  employmentsince: ['immutable', 'time in the current job only grows with time'],
  installmentrate: ['actionable', 'follows from the amount and duration of the loan'],
  otherdebtors: ['actionable', 'the applicant can bring a co-applicant or guarantor', { allowedValues: ['A102', 'A103'] }],
  residencesince: ['immutable', 'time at the current address only grows with time'],
  property: ['immutable', LIFE],
  otherinstallmentplans: ['actionable', 'the applicant can repay other installment plans', { allowedValues: ['A143'] }],
  housing: ['immutable', LIFE],
  existingcredits: ['actionable', 'the applicant can repay existing credits', { direction: 'decrease' }],
  job: ['immutable', LIFE],
  peopleliable: ['immutable', LIFE],
  telephone: ['actionable', 'the applicant can register a telephone', { allowedValues: ['A192'] }],
};

/** credit_data (R modeldata). Age and Marital are not flagged protected there, but are facts. */
const CREDIT_DATA: Table = {
  Seniority: ['immutable', 'time in the current job only grows with time'],
  Home: ['immutable', LIFE],
  Time: ['actionable', TERMS],
  Age: ['immutable', 'age cannot be changed'],
  Marital: ['immutable', LIFE],
  Records: ['immutable', PAST],
  Job: ['immutable', LIFE],
  Expenses: ['actionable', 'the applicant can reduce expenses', { direction: 'decrease' }],
  Income: ['immutable', LIFE],
  Assets: ['immutable', LIFE],
  Debt: ['actionable', 'the applicant can repay debt', { direction: 'decrease' }],
  Amount: ['actionable', TERMS],
  Price: ['actionable', 'the applicant can choose a cheaper good'],
};

const BUILTIN: Readonly<Record<string, Table>> = { german: GERMAN, credit_data: CREDIT_DATA };

/** Column names (case-insensitive) treated as immutable in every schema, builtin or not. */
export const ALWAYS_IMMUTABLE_NAMES: readonly string[] = Object.freeze(['age', 'sex', 'gender', 'dateofbirth', 'birthdate', 'nationality', 'race', 'ethnicity']);

/**
 * Every column of `schema` with whether an applicant can change it. Protected columns are
 * `protected` whatever a table says; builtin schemas (matched by name) use their table; other
 * columns are `actionable` unless their name is in {@link ALWAYS_IMMUTABLE_NAMES}.
 *
 * @example
 * fieldActionability(germanSchema).find((f) => f.field === 'credithistory');
 * // { field: 'credithistory', title: 'Credit history', actionability: 'immutable', why: 'the past cannot be changed' }
 */
export function fieldActionability(schema: Schema): FieldActionability[] {
  if (typeof schema !== 'object' || schema === null || !Array.isArray(schema.columns)) throw new TypeError('schema: expected a Schema');
  const table = Object.hasOwn(BUILTIN, schema.name) ? BUILTIN[schema.name] : undefined;
  return schema.columns.map((c): FieldActionability => {
    const field = c.name;
    const title = c.description ?? c.name;
    if (c.protected) return { field, title, actionability: 'protected', why: 'a protected attribute is never used to suggest a change' };
    const known = table !== undefined && Object.hasOwn(table, c.name) ? table[c.name] : undefined;
    if (known) return { field, title, actionability: known[0], why: known[1], ...known[2] };
    if (ALWAYS_IMMUTABLE_NAMES.includes(c.name.toLowerCase())) return { field, title, actionability: 'immutable', why: 'a fact about the person that cannot be changed' };
    return { field, title, actionability: 'actionable', why: 'not marked protected or immutable by the schema' };
  });
}
