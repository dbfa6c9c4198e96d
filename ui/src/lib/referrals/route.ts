// Where the referral screens open, as App.svelte asks for them (from the hash).

export type ReferralRoute = { name: "list" } | { name: "tray" } | { name: "new" } | { name: "referral"; id: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `#referrals` → the list, `#referrals/tray` → the MASH work tray, `#referrals/<id>` → that referral. */
export function referralRoute(filter: string | null): ReferralRoute {
  if (filter === "tray") return { name: "tray" };
  if (filter === "new") return { name: "new" };
  if (filter && UUID.test(filter)) return { name: "referral", id: filter };
  return { name: "list" };
}
