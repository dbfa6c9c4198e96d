// What the screens of a kind of record (referrals, requests) share: the form's lists
// loaded once when they open, the route from App followed (a main navigation link to
// another route of the same screens, e.g. "New referral" from "My referrals", moves
// there), and a command's failure shown as the lock screen or the screens' problem page.

import { onMount } from "svelte";
import { errorView, type CommandResult } from "../errors";

/** How the screens of a kind of record move between each other (`RecordScreens`). */
export interface ScreenActions<R> {
  /** A record's own page, loaded afresh. */
  open: (id: string) => Promise<void>;
  /** The form for a record, loaded afresh. */
  carryOn: (id: string) => Promise<void>;
  /** The form for this record (`null`: a new one). */
  edit: (record: R | null) => void;
  /** A list screen by its route name ("list"). */
  show: (list: string) => void;
  problem: (title: string, message: string) => void;
}

/** Shows a failure: the unlock screen when Hearth is locked, else the problem page. */
export function failureShower(
  onlocked: (message: string) => void,
  problem: (title: string, message: string) => void,
): (error: unknown) => void {
  return (error) => {
    const view = errorView(error);
    if (view.kind === "unlock") return onlocked(view.message);
    problem(view.kind === "problem" ? view.title : "Sorry, there is a problem with Hearth", view.message);
  };
}

/** What a command answered, or `null` once its failure is shown. */
export async function answerOf<T>(command: Promise<CommandResult<T>>, failed: (error: unknown) => void): Promise<T | null> {
  const result = await command;
  if (result.status === "error") {
    failed(result.error);
    return null;
  }
  return result.data;
}

/**
 * Call while a record app's component starts: loads its form (`loadForm`, then `ready`),
 * opens `route()` and follows it when App changes it without making the app anew.
 */
export function followRoute<F, R>(options: {
  loadForm: () => Promise<CommandResult<F>>;
  ready: (form: F) => void;
  route: () => R;
  go: (route: R) => Promise<void> | void;
  failed: (error: unknown) => void;
}): void {
  let shown: string | null = null;
  const open = async (route: R) => {
    shown = JSON.stringify(route);
    await options.go(route);
  };
  onMount(async () => {
    try {
      const form = await answerOf(options.loadForm(), options.failed);
      if (form === null) return;
      options.ready(form);
      await open(options.route());
    } catch (error) {
      options.failed(error);
    }
  });
  $effect(() => {
    const route = options.route();
    if (shown !== null && JSON.stringify(route) !== shown) void open(route);
  });
}
