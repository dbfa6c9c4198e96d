import { describe, expect, it } from "vitest";
import type { FieldDefinition, FormDefinition } from "../bindings";
import { locationFromHash } from "../shell";
import { taskRoute } from "./route";
import {
  addGroupRow,
  cellPath,
  dueWords,
  editable,
  fieldId,
  fieldPath,
  isMandatory,
  longDate,
  pathsInOrder,
  prefilledText,
  removeGroupRow,
  rowsShown,
  setCell,
  setField,
  setUnfinished,
  summaryTarget,
  valueFor,
} from "./tasks";

const text = (id: string, mandatory = false): FieldDefinition => ({ id, label: id, hint: "", kind: { type: "text" }, mandatory, prefill: null });

const form: FormDefinition = {
  code: "invented_form",
  title: "Invented form",
  sections: [
    {
      id: "child",
      title: "Child",
      guidance: "",
      items: [{ item: "field", id: "child_name", label: "Full name", hint: "", kind: { type: "text" }, mandatory: false, prefill: "child_name" }],
    },
    {
      id: "rest",
      title: "Rest",
      guidance: "",
      items: [
        { item: "field", ...text("needs", true) },
        { item: "group", id: "provision", label: "Health provision", hint: "", min_rows: 1, columns: [text("what", true), text("who", true)] },
      ],
    },
  ],
};

describe("trays", () => {
  it("words a due date by how near it is", () => {
    expect(dueWords({ due: "overdue", daysLeft: -3 })).toBe("Overdue by 3 days");
    expect(dueWords({ due: "overdue", daysLeft: -1 })).toBe("Overdue by 1 day");
    expect(dueWords({ due: "soon", daysLeft: 0 })).toBe("Due today");
    expect(dueWords({ due: "soon", daysLeft: 7 })).toBe("Due in 7 days");
    expect(dueWords({ due: "later", daysLeft: 20 })).toBe("");
  });

  it("writes dates the GOV.UK way", () => {
    expect(longDate("2026-12-14")).toBe("14 December 2026");
    expect(longDate("2026-12-03T09:00:00Z")).toBe("3 December 2026");
    expect(longDate(null)).toBe("");
  });

  it("routes #tasks and #tasks/<id>", () => {
    expect(locationFromHash("#tasks")).toEqual({ route: "tasks", filter: null });
    const id = "0192f0a2-7b3c-7d4e-8f90-123456789abc";
    expect(locationFromHash(`#tasks/${id}`)).toEqual({ route: "tasks", filter: id });
    expect(taskRoute(id)).toEqual({ name: "task", id });
    expect(taskRoute("nonsense")).toEqual({ name: "trays" });
    expect(taskRoute(null)).toEqual({ name: "trays" });
  });
});

describe("answers of any form type", () => {
  it("names fields by their validation paths", () => {
    expect(fieldId(fieldPath("needs"))).toBe("fields-needs");
    expect(fieldId(cellPath("provision", 2, "who"))).toBe("groups-provision-2-who");
  });

  it("sets and clears answers; blank text or an unfinished date is no answer", () => {
    let a = editable(null);
    a = setField(a, "needs", valueFor(text("needs"), "Fine motor"));
    expect(a.fields.needs).toEqual({ text: "Fine motor" });
    a = setField(a, "needs", valueFor(text("needs"), ""));
    expect("needs" in a.fields).toBe(false);
    const date: FieldDefinition = { ...text("on"), kind: { type: "date" } };
    expect(valueFor(date, null)).toBeUndefined();
    expect(valueFor(date, "2026-11-20")).toEqual({ date: "2026-11-20" });
    const choice: FieldDefinition = { ...text("c"), kind: { type: "drop_down", options: ["A", "B"] } };
    expect(valueFor(choice, "B")).toEqual({ choice: "B" });
    expect(valueFor(choice, "")).toBeUndefined();
    const check: FieldDefinition = { ...text("k"), kind: { type: "checkbox" } };
    expect(valueFor(check, true)).toEqual({ checked: true });
    expect(valueFor(check, false)).toBeUndefined();
  });

  it("adds and removes repeatable rows; a blank required row is shown and filled without holes", () => {
    let a = editable({ fields: {}, groups: {} });
    expect(rowsShown(a, "provision", 1)).toBe(1);
    expect(rowsShown(a, "reports", 0)).toBe(1);
    a = setCell(a, "provision", 0, "what", { text: "Weekly OT" });
    const added = addGroupRow(a, "provision");
    expect(added.row).toBe(1);
    a = added.answers;
    a = setCell(a, "provision", 3, "who", { text: "Mary" });
    expect(a.groups.provision).toEqual([{ what: { text: "Weekly OT" } }, {}, {}, { who: { text: "Mary" } }]);
    a = removeGroupRow(a, "provision", 1);
    expect(a.groups.provision).toHaveLength(3);
    expect(a.groups.provision?.[2]).toEqual({ who: { text: "Mary" } });
    a = setCell(a, "provision", 2, "who", undefined);
    expect(a.groups.provision?.[2]).toEqual({});
  });

  it("adds a row after the blank one shown, so the new row is a new one on the page", () => {
    // Nothing typed yet: one blank row shown; "Add another" makes it two.
    const added = addGroupRow(editable(null), "provision", rowsShown(editable(null), "provision", 1));
    expect(added.row).toBe(1);
    expect(added.answers.groups.provision).toEqual([{}, {}]);
    expect(rowsShown(added.answers, "provision", 1)).toBe(2);
  });

  it("keeps a half-typed date by its path, and moves it with its row", () => {
    let a = editable({ fields: {}, groups: {}, unfinished_dates: { "fields.on": { day: "14", month: "3" } } });
    expect(a.unfinished_dates).toEqual({ "fields.on": { day: "14", month: "3", year: "" } });
    a = setUnfinished(a, "groups.reports[2].date", { day: "1", month: "", year: "" });
    a = setUnfinished(a, "groups.reports[0].date", { day: "9", month: "9", year: "" });
    a = { ...a, groups: { reports: [{}, {}, {}] } };
    a = removeGroupRow(a, "reports", 0);
    expect(a.unfinished_dates).toEqual({
      "fields.on": { day: "14", month: "3", year: "" },
      "groups.reports[1].date": { day: "1", month: "", year: "" },
    });
    a = setUnfinished(a, "fields.on", null);
    expect("fields.on" in a.unfinished_dates).toBe(false);
  });

  it("lands a summary link for a missing row on the first question of the row shown", () => {
    expect(summaryTarget(form, "groups.provision")).toBe("groups-provision-0-what");
    expect(summaryTarget(form, "groups.provision[1].who")).toBe("groups-provision-1-who");
    expect(summaryTarget(form, "fields.needs")).toBe("fields-needs");
  });

  it("orders error paths as the form reads and marks only answerable mandatory fields", () => {
    const a = addGroupRow(editable(null), "provision").answers;
    expect(pathsInOrder(form, a)).toEqual([
      "fields.child_name",
      "fields.needs",
      "groups.provision",
      "groups.provision[0].what",
      "groups.provision[0].who",
    ]);
    expect(isMandatory(text("x", true))).toBe(true);
    expect(isMandatory({ ...text("x", true), prefill: "child_name" })).toBe(false);
    expect(prefilledText({ date: "2013-02-10" })).toBe("10 February 2013");
    expect(prefilledText({ text: " " })).toBe("Not given");
    expect(prefilledText(undefined)).toBe("Not given");
  });
});
