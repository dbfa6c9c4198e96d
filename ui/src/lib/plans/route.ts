// Where the plan screens open, as App.svelte asks for them.

import type { WizardStep } from "../bindings";

export type PlanRoute =
  | { name: "plans" }
  | { name: "new-plan" }
  | { name: "plan"; id: string }
  | { name: "edit-plan"; id: string; step?: WizardStep };

/** What the wizard shows: its task list, a step's page, "Check your answers" or the confirmation. */
export type WizardView = "tasks" | WizardStep | "check" | "finished";
