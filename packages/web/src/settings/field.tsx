import type { ReactNode } from "react";

/** A labelled form field: the control, an optional hint under it, and its error (role alert) if any. */
export function Field(props: {
  label: string;
  id: string;
  error?: string;
  hint?: ReactNode;
  children: ReactNode;
}) {
  const errorId = `${props.id}-error`;
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      {props.children}
      {props.hint && <small className="hint">{props.hint}</small>}
      {props.error && (
        <small className="form-error" id={errorId} role="alert" data-testid={`${props.id}-error`}>
          {props.error}
        </small>
      )}
    </div>
  );
}
