/**
 * The applicant form, built from the schema the scorer validates against: each coded field is
 * a list of its codebook meanings (e.g. "checking account < 0 DM", not "A11"), each number has
 * its unit and bounds. Protected attributes are marked: required by the request format and kept
 * for fairness monitoring, but not read by the model.
 */
import type { FormColumn } from '../../api/types.js';
import { SelectField, TextField } from '../../components/Field.js';

/** Labels of one column's control and hint. */
function hintOf(column: FormColumn): string {
  const parts: string[] = [];
  if (column.kind === 'numeric') {
    const bounds = column.min !== undefined && column.max !== undefined ? `${column.min} to ${column.max}` : column.min !== undefined ? `at least ${column.min}` : column.max !== undefined ? `at most ${column.max}` : '';
    if (bounds) parts.push(`${bounds}${column.unit ? ` ${column.unit}` : ''}${column.integer ? ', whole number' : ''}`);
  }
  if (column.protected) parts.push('protected attribute: not used by the model, kept for fairness monitoring');
  else if (!column.usedByModel) parts.push('not used by this model');
  return parts.join('; ');
}

/** The form's fields (the submit button belongs to the caller). */
export function ApplicantFields({ columns, values, onChange }: { columns: readonly FormColumn[]; values: Readonly<Record<string, string>>; onChange: (name: string, value: string) => void }) {
  return (
    <div className="form-grid applicant">
      {columns.map((column) => {
        const id = `field-${column.name}`;
        const label = `${column.description ?? column.name}${column.kind === 'numeric' && column.unit ? ` (${column.unit})` : ''}`;
        const hint = hintOf(column) || undefined;
        if (column.kind === 'numeric') {
          return (
            <TextField key={column.name} id={id} name={column.name} label={label} hint={hint} type="number" required inputMode="decimal"
              min={column.min} max={column.max} step={column.integer ? 1 : 'any'} value={values[column.name] ?? ''} onChange={(e) => onChange(column.name, e.target.value)} />
          );
        }
        return (
          <SelectField key={column.name} id={id} name={column.name} label={label} hint={hint} required value={values[column.name] ?? ''} onChange={(e) => onChange(column.name, e.target.value)}>
            {(column.categories ?? []).map((code) => <option key={code} value={code}>{column.labels?.[code] ?? code}</option>)}
          </SelectField>
        );
      })}
    </div>
  );
}
