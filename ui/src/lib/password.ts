// Validation of the password screens, GOV.UK style: every error names the field and says
// how to fix it; the summary links to the field by id.

/** "set": a new cache protected by a new password; "enter": unlock an existing cache. */
export type PasswordMode = "set" | "enter";

export interface PasswordValues {
  password: string;
  confirm: string;
}

export interface FieldError {
  /** The id of the input the error belongs to (the summary links to `#${field}`). */
  field: "password" | "confirm";
  message: string;
}

export function validatePassword(mode: PasswordMode, values: PasswordValues, minLength: number): FieldError[] {
  const errors: FieldError[] = [];
  const length = [...values.password].length;
  if (length === 0) {
    errors.push({
      field: "password",
      message: mode === "set" ? "Enter a password" : "Enter your Hearth password",
    });
  } else if (mode === "set" && length < minLength) {
    errors.push({ field: "password", message: `Password must be ${minLength} characters or more` });
  }
  if (mode === "set") {
    if (values.confirm.length === 0) {
      errors.push({ field: "confirm", message: "Enter the password again to confirm it" });
    } else if (length > 0 && values.confirm !== values.password) {
      errors.push({ field: "confirm", message: "The passwords do not match. Enter the same password twice" });
    }
  }
  return errors;
}

/** The first error for a field, for the message beside it. */
export function errorFor(errors: readonly FieldError[], field: FieldError["field"]): string | undefined {
  return errors.find((e) => e.field === field)?.message;
}
