// The allocation list's logic, kept out of the component so it is tested without a window.

import type { WorkerChoice } from "../bindings";

/**
 * The choices of the "worker" list: one per name (a request records the worker's name,
 * which the exact "worker name" filter finds), in the order Rust gave them (by name).
 */
export function workerOptions(workers: readonly WorkerChoice[]): { code: string; label: string }[] {
  const seen = new Set<string>();
  const out: { code: string; label: string }[] = [];
  for (const w of workers) {
    const name = w.name.trim();
    if (name === "" || seen.has(name)) continue;
    seen.add(name);
    out.push({ code: name, label: name });
  }
  return out;
}
