/**
 * Schemas describe a lender's tabular data: which columns are features and of what kind, which
 * column is the target and which of its values means *bad* (default), an optional id column,
 * and which attributes are protected (excluded from features by default, kept for fairness
 * reports). A codebook maps codes to words so that reasons read "checking account < 0 DM"
 * rather than "A11".
 */

/** How a column is encoded into features. */
export type ColumnKind = 'numeric' | 'categorical' | 'ordinal' | 'binary';

/** One column of a schema (not the target and not the id). */
export interface ColumnSpec {
  readonly name: string;
  readonly kind: ColumnKind;
  /** Human description, e.g. "Status of existing checking account". */
  readonly description?: string;
  /** Allowed values for categorical / ordinal / binary columns, in order (ordinal: low→high). */
  readonly categories?: readonly string[];
  /** Codebook: value → words, e.g. { A11: 'checking account < 0 DM' }. */
  readonly labels?: Readonly<Record<string, string>>;
  /** Unit of a numeric column, e.g. 'months', 'DM'. */
  readonly unit?: string;
  /** Inclusive bounds a numeric value must respect (validation of scoring input). */
  readonly min?: number;
  readonly max?: number;
  /** Numeric values must be integers. */
  readonly integer?: boolean;
  /** Protected attribute: excluded from model features unless explicitly included. */
  readonly protected?: boolean;
}

/** The target column and its coding. */
export interface TargetSpec {
  readonly name: string;
  /** The raw value that means bad / default (the positive class). */
  readonly bad: string;
  /** The raw value that means good, if the column is binary-coded (for validation). */
  readonly good?: string;
}

/** A complete description of a tabular credit dataset. */
export interface Schema {
  readonly name: string;
  readonly description?: string;
  /** Feature and protected columns, in file order. */
  readonly columns: readonly ColumnSpec[];
  readonly target: TargetSpec;
  readonly id?: string;
  /** Raw tokens that mean "missing" (e.g. 'NA', ''). */
  readonly missingTokens: readonly string[];
}

/**
 * A loaded table: numeric columns as `Float64Array` (NaN = missing), categorical / ordinal /
 * binary columns as arrays of raw codes (null = missing), labels as 1 = bad, 0 = good.
 */
export interface Table {
  readonly schema: Schema;
  readonly numRows: number;
  readonly numeric: Readonly<Record<string, Float64Array>>;
  readonly categorical: Readonly<Record<string, readonly (string | null)[]>>;
  readonly label: Uint8Array;
  readonly ids?: readonly string[];
}

/** Columns used as model features: every column that is not protected (unless `includeProtected`). */
export function featureColumns(schema: Schema, includeProtected = false): ColumnSpec[] {
  return schema.columns.filter((c) => includeProtected || !c.protected);
}

/** Whether a column's values are stored as numbers (numeric) or codes (the other kinds). */
export function isNumericKind(kind: ColumnKind): boolean {
  return kind === 'numeric';
}

/** A new table with rows `indices` of `table`, in that order. */
export function selectRows(table: Table, indices: ArrayLike<number>): Table {
  const n = indices.length;
  const numeric: Record<string, Float64Array> = {};
  for (const [name, col] of Object.entries(table.numeric)) {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = col[indices[i]];
    numeric[name] = out;
  }
  const categorical: Record<string, (string | null)[]> = {};
  for (const [name, col] of Object.entries(table.categorical)) {
    const out = new Array<string | null>(n);
    for (let i = 0; i < n; i++) out[i] = col[indices[i]];
    categorical[name] = out;
  }
  const label = new Uint8Array(n);
  for (let i = 0; i < n; i++) label[i] = table.label[indices[i]];
  const ids = table.ids ? Array.from({ length: n }, (_, i) => table.ids![indices[i]]) : undefined;
  return { schema: table.schema, numRows: n, numeric, categorical, label, ids };
}
