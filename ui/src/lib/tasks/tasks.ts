// The logic of the task screens, kept out of the components so it is tested without a
// window: the trays' due-date words, the ids of a form's fields (from validation paths), and
// editing answers of any form type (fields, repeatable rows) as data.

import type { Answers, FieldDefinition, FieldValue, FormDefinition, TaskRow } from "../bindings";
import { fieldId, initialParts, shiftUnfinished, withUnfinished, type DateParts } from "../plans/wizard";

export { fieldId };

/** The path of a field outside a group, as Rust's validation names it. */
export function fieldPath(id: string): string {
  return `fields.${id}`;
}

/** The path of a column in row `row` of a repeatable group. */
export function cellPath(group: string, row: number, column: string): string {
  return `groups.${group}[${row}].${column}`;
}

/** The tray's words for a due date: "Overdue by 3 days", "Due in 5 days", "Due today". */
export function dueWords(row: Pick<TaskRow, "due" | "daysLeft">): string {
  const n = Math.abs(row.daysLeft);
  const days = n === 1 ? "1 day" : `${n} days`;
  if (row.due === "overdue") return `Overdue by ${days}`;
  if (row.daysLeft === 0) return "Due today";
  if (row.due === "soon") return `Due in ${days}`;
  return "";
}

/** "14 December 2026" from an ISO date. */
export function longDate(iso: string | null | undefined): string {
  if (!iso) return "";
  const d = new Date(`${iso.slice(0, 10)}T12:00:00Z`);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
}

/** Answers as the page edits them: every map present. */
export type EditableAnswers = {
  fields: Record<string, FieldValue>;
  groups: Record<string, Record<string, FieldValue>[]>;
  /** Dates typed but not finished, by answer path (kept, and named in Rust's errors). */
  unfinished_dates: Record<string, DateParts>;
};

/** A blank copy of answers that Svelte can edit (every map present). */
export function editable(answers: Answers | null | undefined): EditableAnswers {
  const fields: Record<string, FieldValue> = {};
  for (const [k, v] of Object.entries(answers?.fields ?? {})) if (v) fields[k] = v;
  const groups: Record<string, Record<string, FieldValue>[]> = {};
  for (const [k, rows] of Object.entries(answers?.groups ?? {})) {
    groups[k] = (rows ?? []).map((r) => {
      const row: Record<string, FieldValue> = {};
      for (const [c, v] of Object.entries(r ?? {})) if (v) row[c] = v;
      return row;
    });
  }
  const unfinished_dates: Record<string, DateParts> = {};
  for (const [path, parts] of Object.entries(answers?.unfinished_dates ?? {})) if (parts) unfinished_dates[path] = initialParts(null, parts);
  return { fields, groups, unfinished_dates };
}

/** The text a field shows for its value (empty when unanswered or of another kind). */
export function textOf(value: FieldValue | undefined): string {
  return value?.text ?? value?.choice ?? value?.date ?? "";
}

export function dateOf(value: FieldValue | undefined): string | null {
  return value?.date ?? null;
}

export function checkedOf(value: FieldValue | undefined): boolean {
  return value?.checked === true;
}

/**
 * The value to store for what was typed in `field`; `undefined` removes the answer (a
 * blank text, no choice, an unfinished date), so a mandatory field is reported as missing.
 */
export function valueFor(field: FieldDefinition, input: string | boolean | null): FieldValue | undefined {
  switch (field.kind.type) {
    case "text":
    case "long_text":
      return typeof input === "string" && input !== "" ? { text: input } : undefined;
    case "drop_down":
      return typeof input === "string" && input !== "" ? { choice: input } : undefined;
    case "date":
      return typeof input === "string" && input !== "" ? { date: input } : undefined;
    case "checkbox":
      return input === true ? { checked: true } : undefined;
  }
}

/** Sets (or clears) one answer outside a group. */
export function setField(answers: EditableAnswers, id: string, value: FieldValue | undefined): EditableAnswers {
  const fields = { ...answers.fields };
  if (value === undefined) delete fields[id];
  else fields[id] = value;
  return { ...answers, fields };
}

/** Sets (or clears) one cell of a repeatable group's row. */
export function setCell(answers: EditableAnswers, group: string, row: number, column: string, value: FieldValue | undefined): EditableAnswers {
  const rows = [...(answers.groups[group] ?? [])];
  while (rows.length < row) rows.push({});
  const next = { ...(rows[row] ?? {}) };
  if (value === undefined) delete next[column];
  else next[column] = value;
  rows[row] = next;
  return { ...answers, groups: { ...answers.groups, [group]: rows } };
}

/** Keeps (or, with `null`, forgets) what was typed into the date at `path` while it is not whole. */
export function setUnfinished(answers: EditableAnswers, path: string, parts: DateParts | null): EditableAnswers {
  return { ...answers, unfinished_dates: withUnfinished(answers.unfinished_dates, path, parts) };
}

/**
 * "+": a blank row at the end, after the `shown` rows on the page (a blank row shown but
 * not typed in yet counts, so the new row is always a new one on the page). Answers the
 * new row's index.
 */
export function addGroupRow(answers: EditableAnswers, group: string, shown = 0): { answers: EditableAnswers; row: number } {
  const rows = [...(answers.groups[group] ?? [])];
  while (rows.length < shown) rows.push({});
  rows.push({});
  return { answers: { ...answers, groups: { ...answers.groups, [group]: rows } }, row: rows.length - 1 };
}

/** "−": removes row `row`; the rows after it move up, with their unfinished dates. */
export function removeGroupRow(answers: EditableAnswers, group: string, row: number): EditableAnswers {
  const rows = (answers.groups[group] ?? []).filter((_, i) => i !== row);
  return {
    ...answers,
    groups: { ...answers.groups, [group]: rows },
    unfinished_dates: shiftUnfinished(answers.unfinished_dates, `groups.${group}`, row),
  };
}

/** The rows a group shows: at least `min_rows` (blank ones to start with), at least one. */
export function rowsShown(answers: EditableAnswers, group: string, minRows: number): number {
  return Math.max(answers.groups[group]?.length ?? 0, minRows, 1);
}

/** Every field's path in form order, to sort an error summary the way the form reads. */
export function pathsInOrder(form: FormDefinition, answers: EditableAnswers): string[] {
  const out: string[] = [];
  for (const section of form.sections) {
    for (const item of section.items) {
      if (item.item === "field") out.push(fieldPath(item.id));
      else {
        out.push(`groups.${item.id}`);
        const n = rowsShown(answers, item.id, item.min_rows ?? 0);
        for (let r = 0; r < n; r++) for (const c of item.columns) out.push(cellPath(item.id, r, c.id));
      }
    }
  }
  return out;
}

/** The label shown for a field: "(mandatory)" spelt out for screen readers beside the asterisk. */
export function isMandatory(field: FieldDefinition): boolean {
  return field.mandatory === true && !field.prefill;
}

/** A prefilled value as text ("10 February 2013" for a date). */
export function prefilledText(value: FieldValue | undefined): string {
  if (!value) return "Not given";
  if (value.date !== undefined) return longDate(value.date);
  const t = textOf(value).trim();
  return t === "" ? "Not given" : t;
}

/** The group's id in the page (its heading). */
export function groupId(group: string): string {
  return fieldId(`groups.${group}`);
}

/**
 * Where an error summary link for `path` lands: the field itself, except "Add at least one
 * row to …", which lands on the first question of the group's first row (a blank row is
 * always shown), so the keyboard goes straight to what is to be typed.
 */
export function summaryTarget(form: FormDefinition, path: string): string {
  for (const section of form.sections) {
    for (const item of section.items) {
      const first = item.item === "group" ? item.columns[0] : undefined;
      if (item.item === "group" && path === `groups.${item.id}` && first) {
        return fieldId(cellPath(item.id, 0, first.id));
      }
    }
  }
  return fieldId(path);
}
