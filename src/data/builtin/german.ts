/**
 * Schema of the Statlog German Credit data (Hofmann 1994, UCI Machine Learning Repository,
 * CC BY 4.0) as shipped in data/german_credit.csv: the 20 attributes in file order with the
 * UCI codebook (data/README.md) in plain words, so explanations say "checking account < 0 DM"
 * rather than "A11".
 */
import type { ColumnSpec, Schema } from '../schema.js';

function codes(labels: Record<string, string>): Pick<ColumnSpec, 'categories' | 'labels'> {
  // The codebook's key order is the category order (ordinal: low→high).
  return { categories: Object.freeze(Object.keys(labels)), labels: Object.freeze({ ...labels }) };
}

const columns: ColumnSpec[] = [
  {
    name: 'existingchecking',
    kind: 'categorical',
    description: 'Status of existing checking account',
    ...codes({
      A11: 'checking account < 0 DM',
      A12: 'checking account 0–200 DM',
      A13: 'checking account ≥ 200 DM or salary assigned for at least 1 year',
      A14: 'no checking account',
    }),
  },
  { name: 'duration', kind: 'numeric', description: 'Duration of the credit', unit: 'months', min: 1, max: 120, integer: true },
  {
    name: 'credithistory',
    kind: 'categorical',
    description: 'Credit history',
    ...codes({
      A30: 'no credits taken or all credits paid back duly',
      A31: 'all credits at this bank paid back duly',
      A32: 'existing credits paid back duly till now',
      A33: 'delay in paying off in the past',
      A34: 'critical account or other credits existing (not at this bank)',
    }),
  },
  {
    name: 'purpose',
    kind: 'categorical',
    description: 'Purpose of the credit',
    // A47 (vacation) is in the codebook but never occurs in the data; kept so scoring accepts it.
    ...codes({
      A40: 'new car',
      A41: 'used car',
      A42: 'furniture or equipment',
      A43: 'radio or television',
      A44: 'domestic appliances',
      A45: 'repairs',
      A46: 'education',
      A47: 'vacation',
      A48: 'retraining',
      A49: 'business',
      A410: 'other purpose',
    }),
  },
  { name: 'creditamount', kind: 'numeric', description: 'Credit amount', unit: 'DM', min: 1, max: 1_000_000 },
  {
    name: 'savings',
    kind: 'categorical',
    description: 'Savings account or bonds',
    // Not ordinal: A65 ("unknown or none") has no place on the < 100 … ≥ 1000 DM scale.
    ...codes({
      A61: 'savings < 100 DM',
      A62: 'savings 100–500 DM',
      A63: 'savings 500–1000 DM',
      A64: 'savings ≥ 1000 DM',
      A65: 'savings unknown or no savings account',
    }),
  },
  {
    name: 'employmentsince',
    kind: 'ordinal',
    description: 'Present employment since',
    ...codes({
      A71: 'unemployed',
      A72: 'employed < 1 year',
      A73: 'employed 1–4 years',
      A74: 'employed 4–7 years',
      A75: 'employed ≥ 7 years',
    }),
  },
  {
    name: 'installmentrate',
    kind: 'numeric',
    description: 'Installment rate in percentage of disposable income (UCI class 1–4)',
    unit: 'rate class',
    min: 1,
    max: 4,
    integer: true,
  },
  {
    name: 'statussex',
    kind: 'categorical',
    description: 'Personal status and sex',
    protected: true,
    ...codes({
      A91: 'male, divorced or separated',
      A92: 'female, divorced, separated or married',
      A93: 'male, single',
      A94: 'male, married or widowed',
      A95: 'female, single',
    }),
  },
  {
    name: 'otherdebtors',
    kind: 'categorical',
    description: 'Other debtors or guarantors',
    ...codes({ A101: 'no other debtors or guarantors', A102: 'co-applicant', A103: 'guarantor' }),
  },
  {
    name: 'residencesince',
    kind: 'numeric',
    description: 'Present residence since (UCI class 1–4)',
    unit: 'years class',
    min: 1,
    max: 4,
    integer: true,
  },
  {
    name: 'property',
    kind: 'categorical',
    description: 'Most valuable property',
    ...codes({
      A121: 'real estate',
      A122: 'building society savings agreement or life insurance',
      A123: 'car or other property',
      A124: 'no known property',
    }),
  },
  // Protected for fairness reports (age bands) yet a standard predictor: featureColumns drops it
  // by default and a job can include it explicitly.
  { name: 'age', kind: 'numeric', description: 'Age', unit: 'years', min: 18, max: 120, integer: true, protected: true },
  {
    name: 'otherinstallmentplans',
    kind: 'categorical',
    description: 'Other installment plans',
    ...codes({ A141: 'installment plan at another bank', A142: 'installment plan at stores', A143: 'no other installment plans' }),
  },
  {
    name: 'housing',
    kind: 'categorical',
    description: 'Housing',
    ...codes({ A151: 'renting', A152: 'owns home', A153: 'lives for free' }),
  },
  {
    name: 'existingcredits',
    kind: 'numeric',
    description: 'Number of existing credits at this bank (UCI class 1–4)',
    unit: 'credits',
    min: 1,
    max: 4,
    integer: true,
  },
  {
    name: 'job',
    kind: 'categorical',
    description: 'Job',
    ...codes({
      A171: 'unemployed or unskilled non-resident',
      A172: 'unskilled resident',
      A173: 'skilled employee or official',
      A174: 'management, self-employed or highly qualified employee',
    }),
  },
  {
    name: 'peopleliable',
    kind: 'numeric',
    description: 'Number of people being liable to provide maintenance for (UCI class 1–2)',
    unit: 'people',
    min: 1,
    max: 2,
    integer: true,
  },
  {
    name: 'telephone',
    kind: 'categorical',
    description: 'Telephone',
    ...codes({ A191: 'no telephone', A192: "telephone registered under the customer's name" }),
  },
  {
    name: 'foreignworker',
    kind: 'categorical',
    description: 'Foreign worker',
    protected: true,
    ...codes({ A201: 'foreign worker', A202: 'not a foreign worker' }),
  },
];

/**
 * The German Credit schema: 20 columns in file order, target `classification` with '2' = bad
 * and '1' = good, protected attributes statussex, age and foreignworker (excluded from features
 * by default, kept for fairness reports). Numeric bounds are generous for amounts and match the
 * UCI classes for coded counts, so scoring requests are checked against the same rules as the
 * training file.
 */
export const germanSchema: Schema = Object.freeze({
  name: 'german',
  description:
    'Statlog German Credit data: 1000 applicants, 300 bad (Hofmann 1994, UCI Machine Learning Repository, CC BY 4.0). ' +
    'UCI cost matrix: predicting good for a bad applicant costs 5, bad for a good one costs 1.',
  columns: Object.freeze(columns.map((c) => Object.freeze(c))),
  target: Object.freeze({ name: 'classification', bad: '2', good: '1' }),
  missingTokens: Object.freeze([] as string[]),
});

/**
 * The 20 field names of a German Credit scoring request, in file order (the
 * `/predictCreditRisk` request format), e.g. `['existingchecking', 'duration', …, 'foreignworker']`.
 */
export const GERMAN_FIELDS: readonly string[] = Object.freeze(columns.map((c) => c.name));
