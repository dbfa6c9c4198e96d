import { describe, expect, it } from "vitest";
import { roleLabel, transferStateText } from "./sharing";

describe("sharing words", () => {
  it("names the two roles of PRODUCT.md", () => {
    expect(roleLabel("coordinator")).toBe("FSP coordinator");
    expect(roleLabel("team")).toBe("Team around the family");
  });

  it("says where a transfer stands, naming the recipient", () => {
    const t = { to: "x", toName: "Jo Invented", state: "awaiting_authorisation", senderLeaves: true };
    expect(transferStateText(t)).toBe(
      "Waiting for Jo Invented to authorise the transfer. You leave the plan when it is authorised.",
    );
    expect(transferStateText({ ...t, state: "refused" })).toBe("Jo Invented refused the transfer.");
    expect(transferStateText({ ...t, toName: " ", state: "authorised" })).toBe(
      "Transferred to the other practitioner.",
    );
  });
});
