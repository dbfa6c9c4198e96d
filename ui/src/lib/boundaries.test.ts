// DESIGN.md: the UI never calls a command through `invoke` by its string name and never re-declares a Rust type.
// Only the generated bindings.ts may talk to Tauri's IPC directly.
import { describe, expect, it } from "vitest";

const sources = import.meta.glob(["../**/*.ts", "../**/*.svelte", "!./bindings.ts", "!../**/*.test.ts"], {
  query: "?raw",
  import: "default",
  eager: true,
}) as Record<string, string>;

describe("the front end's sources", () => {
  it("are all read by this test", () => {
    const files = Object.keys(sources);
    expect(files).toContain("../App.svelte");
    expect(files).toContain("./components/UnlockPage.svelte");
    expect(files).toContain("./components/RecordList.svelte");
    expect(files).not.toContain("./bindings.ts");
  });

  it("reach Rust only through the generated bindings", () => {
    for (const [file, source] of Object.entries(sources)) {
      expect(source, file).not.toMatch(/@tauri-apps\/api\/core|\binvoke\s*\(|__TAURI_INTERNALS__/);
    }
  });

  it("do not declare the types Rust exports", () => {
    const exported = [
      "AppError",
      "ErrorCode",
      "AppStatus",
      "Dashboard",
      "PlanCounts",
      "SyncSummary",
      "LocalRecord",
      "PrintOutcome",
      "RecordKind",
      "ShellStatus",
      "SyncStatus",
      "SyncState",
      "Progress",
      "CodeSent",
    ];
    for (const [file, source] of Object.entries(sources)) {
      for (const name of exported) {
        expect(source, file).not.toMatch(new RegExp(`^\\s*(export\\s+)?(type|interface|enum)\\s+${name}\\b`, "m"));
      }
    }
  });
});
