// The conflicts screen's logic: the practitioner's choice per field, checked before saving.

import type { ConflictView } from "../bindings";
import type { FieldError } from "../shell";

/** Which version of a field to keep; `null` until the practitioner chooses (no preselection). */
export type Choice = "mine" | "theirs" | null;

/** The id of a field's first radio button (what an error summary link focuses). */
export function choiceId(conflict: ConflictView, field: string): string {
  return `conflict-${conflict.id}-${field}`;
}

/** Every field of a conflict, unchosen. */
export function noChoices(conflict: ConflictView): Record<string, Choice> {
  return Object.fromEntries(conflict.fields.map((f) => [f.field, null]));
}

/** One error per field still without a choice, in the order of the form. */
export function missingChoices(conflict: ConflictView, choices: Record<string, Choice>): FieldError[] {
  return conflict.fields
    .filter((f) => (choices[f.field] ?? null) === null)
    .map((f) => ({ field: choiceId(conflict, f.field), message: `Choose which version of ${lowerFirst(f.label)} to keep` }));
}

/** The fields to send back as "keep mine". */
export function keepMine(choices: Record<string, Choice>): string[] {
  return Object.entries(choices)
    .filter(([, c]) => c === "mine")
    .map(([field]) => field);
}

/** "Family support plan FSP-000042 (Example family)". */
export function conflictHeading(conflict: ConflictView): string {
  const family = conflict.title ? ` (${conflict.title} family)` : "";
  const reference = conflict.reference ?? "no longer on this device";
  return `${conflict.kindLabel} ${reference}${family}`;
}

/** What the page says once a conflict is resolved. */
export function resolvedText(conflict: ConflictView, kept: string[]): string {
  const what = conflictHeading(conflict);
  if (conflict.rejected) return `You dismissed the change to ${what} that the server did not accept.`;
  if (kept.length === 0) return `${what} keeps the version on the server.`;
  return `Your version of ${kept.length === 1 ? "1 answer" : `${kept.length} answers`} in ${what} will be sent at the next sync.`;
}

function lowerFirst(label: string): string {
  // Keep acronyms ("FSP …") as they are.
  return /^[A-Z][a-z]/.test(label) ? label.charAt(0).toLowerCase() + label.slice(1) : label;
}
