// Where the plan screens open, as App.svelte asks for them.

import { onDestroy } from "svelte";
import type { WizardStep } from "../bindings";
import type { Autosaver } from "./wizard";

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

/**
 * Call while a plan screen with an autosave starts (the wizards, the review): its edits are
 * saved before lock or sign-out (`savePendingPlanEdits`) and when it closes. Answers its
 * flush: saves now, true when everything typed is saved.
 */
export function keepPendingEdits(saver: Autosaver): () => Promise<boolean> {
  const flush = async () => {
    try {
      await saver.flush();
      return true;
    } catch {
      return false;
    }
  };
  const unregister = registerPendingEdits(flush);
  onDestroy(() => {
    unregister();
    // Leaving the screen some other way (navigation, lock): save what is left.
    void saver.flush().catch(() => undefined);
  });
  return flush;
}
