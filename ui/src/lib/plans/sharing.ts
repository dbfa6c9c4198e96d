// Words for the plan's sharing list and transfer (PRODUCT.md FSP "Sharing", "Transfer").

import type { TransferView } from "../bindings";

/** The sharing role as the plan view names it. */
export function roleLabel(role: string): string {
  if (role === "coordinator") return "FSP coordinator";
  if (role === "team") return "Team around the family";
  return role;
}

/** One sentence on where a transfer stands. */
export function transferStateText(t: TransferView): string {
  const who = t.toName.trim() || "the other practitioner";
  const leaving = t.senderLeaves ? " You leave the plan when it is authorised." : "";
  switch (t.state) {
    case "awaiting_authorisation":
      return `Waiting for ${who} to authorise the transfer.${leaving}`;
    case "authorised":
      return `Transferred to ${who}.`;
    case "refused":
      return `${who} refused the transfer.`;
    case "cancelled":
      return `The transfer to ${who} was cancelled.`;
    default:
      return `Transfer to ${who}: ${t.state}.`;
  }
}
