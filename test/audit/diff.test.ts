import { describe, expect, it } from "vitest";
import { actorJson, diffChanges, isSecretField } from "../../src/domain/audit";

describe("diffChanges", () => {
  it("lists only the asked fields that changed, as [before, after]", () => {
    expect(diffChanges({ a: 1, b: "x", c: [1] }, { a: 2, b: "x", c: [1, 2] }, ["a", "b", "c"])).toEqual({ a: [1, 2], c: [[1], [1, 2]] });
    expect(diffChanges({ a: 1, z: 1 }, { a: 1, z: 2 }, ["a"])).toEqual({});
  });
  it("a creation has null before, a removal null after; bigint becomes a decimal string", () => {
    expect(diffChanges(null, { name: "Anna", amount: 10n }, ["name", "amount", "missing"])).toEqual({ name: [null, "Anna"], amount: [null, "10"] });
    expect(diffChanges({ coupon: "A" }, { coupon: null }, ["coupon"])).toEqual({ coupon: ["A", null] });
  });
  it("SECURITY: never a secret, a key or a hash, even when asked for", () => {
    const before = { hash: "h1", apiKey: "afx_pk_1", secret: "whsec_1", webhookSecret: "w1", changeToken: "t1", name: "a" };
    const after = { hash: "h2", apiKey: "afx_pk_2", secret: "whsec_2", webhookSecret: "w2", changeToken: "t2", name: "b" };
    const changes = diffChanges(before, after, Object.keys(before));
    expect(changes).toEqual({ name: ["a", "b"] });
    expect(isSecretField("keyId")).toBe(false);
    expect(isSecretField("postbackKey")).toBe(true);
  });
  it("an actor shows its kind and the key or partner behind it", () => {
    expect(actorJson("vendor", "key_1", null)).toEqual({ kind: "vendor", keyId: "key_1" });
    expect(actorJson("partner", null, "ptn_1")).toEqual({ kind: "partner", partnerId: "ptn_1" });
    expect(actorJson("system", null, null)).toEqual({ kind: "system" });
  });
});
