// The Documents section's words and field ids. Everything about a file (its type, its size,
// the suggested name, why it is refused) is decided in Rust (src-tauri/documents.rs); this
// module only says where things go on screen.

import type { DocumentRow, FieldError } from "../bindings";

/** The element each error path of "Add to this plan" links to. */
export function fieldId(path: string): string {
  switch (path) {
    case "title":
      return "document-title";
    case "file_name":
      return "document-file-name";
    default:
      // The file itself: the button that chooses another.
      return "document-choose";
  }
}

/** The error for one field, if any. */
export function errorFor(errors: readonly FieldError[], path: string): string {
  return errors.find((e) => e.path === path)?.message ?? "";
}

const ADDED = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long", year: "numeric" });

/** When it was added, as a date in the practitioner's time zone: "21 November 2026". */
export function addedOn(at: string): string {
  const d = new Date(at);
  return Number.isNaN(d.getTime()) ? "" : ADDED.format(d);
}

/** The "On this device" column. */
export function onDeviceText(row: Pick<DocumentRow, "onDevice">): string {
  return row.onDevice ? "Yes" : "Not yet: it downloads at the next sync";
}

/** What the status line says once a document is stored back from Word. */
export function savedBackText(fileName: string, version: number): string {
  return `${fileName} saved back to Hearth (version ${version}). It is sent at the next sync.`;
}
