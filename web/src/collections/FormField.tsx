/** One labelled form control for a record field, with its hint and the API's error for it. */
import { useId } from 'preact/hooks';
import type { FieldDef } from './collections';
import type { FormValue } from './records';

interface Props {
  field: FieldDef;
  value: FormValue;
  errors: string[];
  onChange: (value: FormValue) => void;
}

export function FormField({ field, value, errors, onChange }: Props) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [field.hint ? hintId : '', errors.length ? errorId : ''].filter(Boolean).join(' ') || undefined;
  const common = { id, 'aria-describedby': describedBy, 'aria-invalid': errors.length > 0 ? true : undefined };
  const notes = (
    <>
      {field.hint && (
        <small id={hintId} class="hint">
          {field.hint}
        </small>
      )}
      {errors.length > 0 && (
        <p id={errorId} class="field-error">
          {errors.join('; ')}
        </p>
      )}
    </>
  );

  if (field.kind === 'checkbox') {
    return (
      <div class="field checkbox">
        <input type="checkbox" {...common} checked={value === true} onChange={(event) => onChange(event.currentTarget.checked)} />
        <label for={id}>{field.label}</label>
        {notes}
      </div>
    );
  }
  if (field.kind === 'choices') {
    const chosen = value as string[];
    return (
      <fieldset class="field choices" aria-describedby={describedBy}>
        <legend>{field.label}</legend>
        {field.options!.map((option) => (
          <label key={option}>
            <input
              type="checkbox"
              checked={chosen.includes(option)}
              onChange={(event) => onChange(event.currentTarget.checked ? [...chosen, option] : chosen.filter((entry) => entry !== option))}
            />{' '}
            {option}
          </label>
        ))}
        {notes}
      </fieldset>
    );
  }
  return (
    <div class="field">
      <label for={id}>{field.label}</label>
      {field.kind === 'select' ? (
        <select {...common} value={String(value)} required={field.required} onChange={(event) => onChange(event.currentTarget.value)}>
          {field.optional && <option value="">(none)</option>}
          {field.options!.map((option) => (
            <option key={option} value={option}>
              {option}
            </option>
          ))}
        </select>
      ) : field.kind === 'lines' ? (
        <textarea {...common} rows={4} value={String(value)} onInput={(event) => onChange(event.currentTarget.value)} />
      ) : field.kind === 'number' ? (
        <input {...common} type="number" value={String(value)} onInput={(event) => onChange(event.currentTarget.value)} />
      ) : (
        <input
          {...common}
          type="text"
          required={field.required}
          value={String(value)}
          onInput={(event) => onChange(event.currentTarget.value)}
        />
      )}
      {notes}
    </div>
  );
}
