// Where the plan screens open, as App.svelte asks for them.

import type { WizardStep } from "../bindings";

export type PlanRoute =
  | { name: "plans" }
  | { name: "transfers" }
  | { name: "new-plan" }
  | { name: "plan"; id: string }
  | { name: "edit-plan"; id: string; step?: WizardStep };

/** What the wizard shows: its task list, a step's page, "Check your answers" or the confirmation. */
export type WizardView = "tasks" | WizardStep | "check" | "finished";

type Flusher = () => Promise<boolean>;
const flushers = new Set<Flusher>();

/**
 * Saves every plan or review edit still waiting for its autosave. Call it (and wait) before
 * locking Hearth or signing out, so an idle lock loses nothing typed. True when all saved.
 */
export async function savePendingPlanEdits(): Promise<boolean> {
  const results = await Promise.all([...flushers].map((f) => f()));
  return results.every(Boolean);
}

/** For the plan screens: registers their autosave flush; returns the unregister function. */
export function registerPendingEdits(flush: Flusher): () => void {
  flushers.add(flush);
  return () => flushers.delete(flush);
}
