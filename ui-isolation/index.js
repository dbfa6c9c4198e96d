// Hearth's isolation hook (Tauri "isolation" pattern).
//
// Every IPC message from the main web view passes through this sandboxed frame before Tauri
// encrypts it and hands it to Rust. The hook lets through only Hearth's own commands with
// arguments of the expected shape, so a script injected into the main view cannot reach
// anything else. `bindings_are_up_to_date` (src-tauri) checks that ALLOWED lists exactly the
// commands in ui/src/lib/bindings.ts.
//
// A rejected message is not dropped (the caller would wait for ever): its command is
// renamed to one that does not exist, so Tauri answers it with an error.

const REJECTED = "hearth_rejected_by_isolation";
const MAX_PASSWORD_LENGTH = 1024;
const MAX_PATH_LENGTH = 4096;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Commands the front end may call, each with a check of its arguments. */
const ALLOWED = {
  app_status: (args) => hasOnlyKeys(args, []),
  dashboard: (args) => hasOnlyKeys(args, []),
  // Rust also opens only a PDF it saved itself since it started.
  open_saved_pdf: (args) =>
    hasOnlyKeys(args, ["path"]) &&
    typeof args.path === "string" &&
    args.path.length > 0 &&
    args.path.length <= MAX_PATH_LENGTH,
  print_record: (args) =>
    hasOnlyKeys(args, ["recordId"]) && typeof args.recordId === "string" && UUID.test(args.recordId),
  unlock: (args) =>
    hasOnlyKeys(args, ["password"]) &&
    typeof args.password === "string" &&
    args.password.length > 0 &&
    args.password.length <= MAX_PASSWORD_LENGTH,
};

function hasOnlyKeys(args, keys) {
  if (args === undefined || args === null) return keys.length === 0;
  if (typeof args !== "object" || Array.isArray(args)) return false;
  return Object.keys(args).every((key) => keys.includes(key)) && keys.every((key) => key in args);
}

function isAllowed(payload) {
  if (typeof payload !== "object" || payload === null) return false;
  const { cmd } = payload;
  if (typeof cmd !== "string" || !Object.prototype.hasOwnProperty.call(ALLOWED, cmd)) return false;
  return ALLOWED[cmd](payload.payload) === true;
}

window.__TAURI_ISOLATION_HOOK__ = (payload) => {
  if (isAllowed(payload)) return payload;
  return { ...payload, cmd: REJECTED, payload: {} };
};
