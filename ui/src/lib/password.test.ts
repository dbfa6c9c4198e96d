import { describe, expect, it } from "vitest";
import { errorFor, validatePassword } from "./password";

const MIN = 12;

describe("validatePassword when setting a new password", () => {
  it("asks for both fields when nothing is entered", () => {
    expect(validatePassword("set", { password: "", confirm: "" }, MIN)).toEqual([
      { field: "password", message: "Enter a password" },
      { field: "confirm", message: "Enter the password again to confirm it" },
    ]);
  });

  it("rejects a password shorter than the minimum, counting characters not bytes", () => {
    const errors = validatePassword("set", { password: "short", confirm: "short" }, MIN);
    expect(errorFor(errors, "password")).toBe("Password must be 12 characters or more");
    // 12 characters, 24 UTF-16 code units: long enough.
    const emoji = "🔥".repeat(12);
    expect(validatePassword("set", { password: emoji, confirm: emoji }, MIN)).toEqual([]);
    const eleven = "🔥".repeat(11);
    expect(validatePassword("set", { password: eleven, confirm: eleven }, MIN)).toHaveLength(1);
  });

  it("says when the confirmation does not match", () => {
    const errors = validatePassword("set", { password: "kettle-orchard-lantern", confirm: "kettle-orchard" }, MIN);
    expect(errors).toEqual([
      { field: "confirm", message: "The passwords do not match. Enter the same password twice" },
    ]);
  });

  it("accepts a long enough password entered twice", () => {
    expect(validatePassword("set", { password: "kettle-orchard-lantern", confirm: "kettle-orchard-lantern" }, MIN)).toEqual([]);
  });
});

describe("validatePassword when unlocking", () => {
  it("only needs the password, whatever its length", () => {
    expect(validatePassword("enter", { password: "", confirm: "" }, MIN)).toEqual([
      { field: "password", message: "Enter your Hearth password" },
    ]);
    // An old cache may have a shorter password; Rust decides whether it is right.
    expect(validatePassword("enter", { password: "abc", confirm: "" }, MIN)).toEqual([]);
  });
});

describe("errorFor", () => {
  it("finds the first message for a field", () => {
    const errors = [
      { field: "confirm" as const, message: "A" },
      { field: "password" as const, message: "B" },
    ];
    expect(errorFor(errors, "password")).toBe("B");
    expect(errorFor([], "password")).toBeUndefined();
  });
});
