/**
 * Labelled form controls: every input, select and checkbox of the dashboard goes through
 * these, so each has a visible <label> tied to it and its hint read out with it.
 */
import type { InputHTMLAttributes, ReactNode, SelectHTMLAttributes } from 'react';

type InputProps = { id: string; label: string; hint?: ReactNode } & Omit<InputHTMLAttributes<HTMLInputElement>, 'id'>;

/** A labelled text, number, email or password input. */
export function TextField({ id, label, hint, ...input }: InputProps) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} aria-describedby={hint ? `${id}-hint` : undefined} {...input} />
      {hint ? <small id={`${id}-hint`} className="hint">{hint}</small> : null}
    </div>
  );
}

type SelectProps = { id: string; label: string; hint?: ReactNode; children: ReactNode } & Omit<SelectHTMLAttributes<HTMLSelectElement>, 'id'>;

/** A labelled select. */
export function SelectField({ id, label, hint, children, ...select }: SelectProps) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} aria-describedby={hint ? `${id}-hint` : undefined} {...select}>{children}</select>
      {hint ? <small id={`${id}-hint`} className="hint">{hint}</small> : null}
    </div>
  );
}

/** A labelled checkbox (label after the box). */
export function CheckboxField({ id, label, hint, ...input }: InputProps) {
  return (
    <div className="field field-check">
      <input id={id} type="checkbox" aria-describedby={hint ? `${id}-hint` : undefined} {...input} />
      <label htmlFor={id}>{label}</label>
      {hint ? <small id={`${id}-hint`} className="hint">{hint}</small> : null}
    </div>
  );
}
