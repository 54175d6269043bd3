/**
 * The applicant form's values (strings, as inputs hold them) turned into a scoring record of
 * the schema: numbers for numeric columns, codes for the others, and a list of what is
 * missing or malformed, in the form's words. Pure (no DOM), so it is unit-tested in node; the
 * server checks the record again (ranges, codes) and its issues are shown as well.
 */
import type { FormColumn } from '../../api/types.js';

/** What the form produced. */
export type FormRecord =
  | { readonly ok: true; readonly record: Record<string, string | number> }
  | { readonly ok: false; readonly problems: readonly { readonly field: string; readonly message: string }[] };

/** Parse the form values of every column. */
export function recordFromForm(columns: readonly FormColumn[], values: Readonly<Record<string, string>>): FormRecord {
  const record: Record<string, string | number> = {};
  const problems: { field: string; message: string }[] = [];
  for (const column of columns) {
    const title = column.description ?? column.name;
    const raw = (values[column.name] ?? '').trim();
    if (raw === '') {
      problems.push({ field: column.name, message: `${title}: required` });
      continue;
    }
    if (column.kind === 'numeric') {
      // Number('') is 0 and Number('1e3') is 1000: accept plain decimals only, as a person types them
      if (!/^-?\d+(\.\d+)?$/.test(raw)) {
        problems.push({ field: column.name, message: `${title}: expected a number, got “${raw}”` });
        continue;
      }
      record[column.name] = Number(raw);
    } else {
      if (column.categories && !column.categories.includes(raw)) {
        problems.push({ field: column.name, message: `${title}: choose one of the listed values` });
        continue;
      }
      record[column.name] = raw;
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, record };
}

/**
 * Starting values of the form: the German file's first applicant (the old API's example
 * request) for the German schema, else each column's first category or lower bound.
 */
export function exampleValues(schemaName: string, columns: readonly FormColumn[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of columns) {
    const german = schemaName === 'german' ? GERMAN_EXAMPLE[c.name] : undefined;
    out[c.name] = german !== undefined ? String(german) : c.kind === 'numeric' ? String(c.min ?? 0) : (c.categories?.[0] ?? '');
  }
  return out;
}

/** Row 1 of the UCI German credit file (Hofmann 1994), the seed system's example request. */
const GERMAN_EXAMPLE: Readonly<Record<string, string | number>> = {
  existingchecking: 'A11', duration: 6, credithistory: 'A34', purpose: 'A43', creditamount: 1169, savings: 'A65', employmentsince: 'A75',
  installmentrate: 4, statussex: 'A93', otherdebtors: 'A101', residencesince: 4, property: 'A121', age: 67, otherinstallmentplans: 'A143',
  housing: 'A152', existingcredits: 2, job: 'A173', peopleliable: 1, telephone: 'A192', foreignworker: 'A201',
};
