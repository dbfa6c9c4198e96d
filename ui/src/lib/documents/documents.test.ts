import { describe, expect, it } from "vitest";
import { addedOn, errorFor, fieldId, onDeviceText, savedBackText } from "./documents";

describe("the documents section", () => {
  it("links each error to its field, and a file's problem to the button that chooses another", () => {
    expect(fieldId("title")).toBe("document-title");
    expect(fieldId("file_name")).toBe("document-file-name");
    expect(fieldId("file")).toBe("document-choose");
    const errors = [
      { path: "title", message: "Enter a title for the document" },
      { path: "file", message: "notes.txt is not a Word, PDF, JPEG or PNG file" },
    ];
    expect(errorFor(errors, "file")).toBe("notes.txt is not a Word, PDF, JPEG or PNG file");
    expect(errorFor(errors, "file_name")).toBe("");
  });

  it("says when a document was added and whether it is on this device", () => {
    expect(addedOn("2026-11-21T10:03:00Z")).toBe("21 November 2026");
    expect(addedOn("not a date")).toBe("");
    expect(onDeviceText({ onDevice: true })).toBe("Yes");
    expect(onDeviceText({ onDevice: false })).toContain("next sync");
    expect(savedBackText("FSP-000001-261121-Plan.docx", 2)).toBe(
      "FSP-000001-261121-Plan.docx saved back to Hearth (version 2). It is sent at the next sync.",
    );
  });
});
