// Where the request screens open, as App.svelte asks for them (from the hash).

export type RequestRoute = { name: "list" } | { name: "new" } | { name: "manage" } | { name: "request"; id: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `#requests` → My requests, `#requests/new` → the form, `#requests/manage` → the manager's views, `#requests/<id>` → that request. */
export function requestRoute(filter: string | null): RequestRoute {
  if (filter === "new") return { name: "new" };
  if (filter === "manage") return { name: "manage" };
  if (filter && UUID.test(filter)) return { name: "request", id: filter };
  return { name: "list" };
}
