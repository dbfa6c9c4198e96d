import { describe, expect, it } from "vitest";
import { errorView, isAppError, UNEXPECTED_MESSAGE, WRONG_PASSWORD_MESSAGE } from "./errors";

describe("isAppError", () => {
  it("accepts the command error shape", () => {
    expect(isAppError({ code: "WrongPassword", message: "That password does not unlock…" })).toBe(true);
  });

  it("rejects Tauri's own rejections and unknown codes", () => {
    expect(isAppError("Command unlock not allowed by ACL")).toBe(false);
    expect(isAppError({ code: "Nonsense", message: "x" })).toBe(false);
    expect(isAppError({ code: "Locked" })).toBe(false);
    expect(isAppError(null)).toBe(false);
  });
});

describe("errorView", () => {
  it("puts password problems on the password field", () => {
    expect(errorView({ code: "WrongPassword", message: "That password does not unlock… (recovery advice)" })).toEqual({
      kind: "field",
      field: "password",
      message: WRONG_PASSWORD_MESSAGE,
    });
    expect(errorView({ code: "PasswordTooShort", message: "Password must be 12 characters or more" })).toEqual({
      kind: "field",
      field: "password",
      message: "Password must be 12 characters or more",
    });
  });

  it("sends a locked app back to the password screen", () => {
    expect(errorView({ code: "Locked", message: "Hearth is locked." })).toEqual({
      kind: "unlock",
      message: "Hearth is locked.",
    });
    expect(errorView({ code: "PasswordNeeded", message: "No keyring." }).kind).toBe("unlock");
  });

  it("explains a missing key on its own page", () => {
    const view = errorView({ code: "KeyMissing", message: "The key is missing from the system keyring." });
    expect(view).toEqual({
      kind: "problem",
      title: "Hearth cannot unlock this device's cache",
      message: "The key is missing from the system keyring.",
    });
  });

  it("never shows raw internals for a rejection that is not an AppError", () => {
    const view = errorView(new Error("invoke failed at /home/someone/.local/share"));
    expect(view).toEqual({ kind: "problem", title: "Sorry, there is a problem with Hearth", message: UNEXPECTED_MESSAGE });
  });
});
