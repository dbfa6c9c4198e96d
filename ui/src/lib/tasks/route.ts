// Where the task screens open, as App.svelte asks for them (from the hash).

export type TaskRoute = { name: "trays" } | { name: "task"; id: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `#tasks` → the trays, `#tasks/<id>` → that task. */
export function taskRoute(filter: string | null): TaskRoute {
  if (filter && UUID.test(filter)) return { name: "task", id: filter };
  return { name: "trays" };
}
