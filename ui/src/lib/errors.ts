// What the UI shows for an error from a command. The shape `{ code, message }` and the
// codes come from Rust (bindings.ts); this module only decides WHERE each one is shown.

import type { AppError, ErrorCode } from "./bindings";

/** What a command answers (the generated bindings' result). */
export type CommandResult<T> = { status: "ok"; data: T } | { status: "error"; error: AppError };

/** Where an error goes on screen. */
export type ErrorView =
  /** Beside a form field (and in the error summary that links to it). */
  | { kind: "field"; field: "password"; message: string }
  /** Back to the password screen: the store is not open. */
  | { kind: "unlock"; message: string }
  /** Back to whatever screen the app's status says (sign in, first run after a wipe). */
  | { kind: "restart"; message: string }
  /** A page that explains the problem; nothing else can be done from here yet. */
  | { kind: "problem"; title: string; message: string };

const CODES: readonly ErrorCode[] = [
  "PasswordNeeded",
  "WrongPassword",
  "PasswordTooShort",
  "KeyMissing",
  "Locked",
  "RecordNotFound",
  "PrintFailed",
  "StoreFailed",
  "InvalidServerAddress",
  "InvalidInput",
  "ServerUnreachable",
  "WrongCredentials",
  "WrongCode",
  "CodeExpired",
  "Throttled",
  "SignInNeeded",
  "DeviceWiped",
  "ServerRefused",
  "PendingChanges",
];

/**
 * True when `value` is the error shape the app's commands return. Tauri itself can also
 * reject a call (an unknown command, a permission refused) with a plain string.
 */
export function isAppError(value: unknown): value is AppError {
  if (typeof value !== "object" || value === null) return false;
  const { code, message } = value as Record<string, unknown>;
  return typeof message === "string" && CODES.includes(code as ErrorCode);
}

/** Generic text for failures that are not an `AppError` (never shows raw internals). */
export const UNEXPECTED_MESSAGE =
  "Hearth could not complete that. Close Hearth and open it again. If it keeps happening, contact your IT service desk.";

export const WRONG_PASSWORD_MESSAGE = "The password is not right. Check it and enter it again";

export function errorView(error: unknown): ErrorView {
  if (!isAppError(error)) {
    return { kind: "problem", title: "Sorry, there is a problem with Hearth", message: UNEXPECTED_MESSAGE };
  }
  switch (error.code) {
    case "WrongPassword":
      // Rust's message also explains how to recover the cache; beside a field, GOV.UK
      // asks for the short form that says what to fix.
      return { kind: "field", field: "password", message: WRONG_PASSWORD_MESSAGE };
    case "PasswordTooShort":
      return { kind: "field", field: "password", message: error.message };
    case "PasswordNeeded":
    case "Locked":
      return { kind: "unlock", message: error.message };
    case "KeyMissing":
      return { kind: "problem", title: "Hearth cannot unlock this device's cache", message: error.message };
    case "SignInNeeded":
    case "DeviceWiped":
      return { kind: "restart", message: error.message };
    case "RecordNotFound":
    case "PrintFailed":
    case "StoreFailed":
    case "InvalidServerAddress":
    case "InvalidInput":
    case "ServerUnreachable":
    case "WrongCredentials":
    case "WrongCode":
    case "CodeExpired":
    case "Throttled":
    case "ServerRefused":
    case "PendingChanges":
      // The records list shows print failures itself (records.ts); elsewhere they are problems.
      return { kind: "problem", title: "Sorry, there is a problem with Hearth", message: error.message };
  }
}
