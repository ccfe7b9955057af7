// A labelled <select>: the label beside the control (a wrapping label would name it after its options too).
import { useId } from 'preact/hooks';

/** An option: its value, or [value, text shown]. */
export type SelectOption = string | readonly [string, string];

export interface SelectFieldProps {
  readonly label: string;
  readonly value: string;
  readonly options: readonly SelectOption[];
  /** Text of a first, empty option meaning "no filter" (e.g. "any"); none when absent. */
  readonly empty?: string;
  onChange(value: string): void;
}

export function SelectField({ label, value, options, empty, onChange }: SelectFieldProps) {
  const id = useId();
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        {empty !== undefined && <option value="">{empty}</option>}
        {options.map((o) => {
          const [v, text] = typeof o === 'string' ? [o, o] : o;
          return (
            <option key={v} value={v}>
              {text}
            </option>
          );
        })}
      </select>
    </div>
  );
}
