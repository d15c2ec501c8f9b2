import { describe, expect, it } from "vitest";
import { commissionAmount, pickRule, type CommissionRule } from "../../src/domain/commission";

const rule = (over: Partial<CommissionRule>): CommissionRule => ({ id: "r", tierId: null, event: "sale", type: "percent", value: 200_000, createdAt: 100, ...over });

describe("commission rules", () => {
  const rules = [
    rule({ id: "program-old", createdAt: 100 }),
    rule({ id: "program-new", createdAt: 200, value: 250_000 }),
    rule({ id: "tier-gold", tierId: "gold", createdAt: 150, value: 300_000 }),
    rule({ id: "lead", event: "lead", type: "flat", value: 500, createdAt: 100 }),
    rule({ id: "future", createdAt: 10_000 }),
  ];

  it("prefers the partner's tier rule over program-wide ones", () => {
    expect(pickRule(rules, "sale", "gold", 1000)?.id).toBe("tier-gold");
  });
  it("uses the newest program-wide rule for other tiers, and none created after the conversion", () => {
    expect(pickRule(rules, "sale", "silver", 1000)?.id).toBe("program-new");
    expect(pickRule(rules, "sale", null, 150)?.id).toBe("program-old");
    expect(pickRule(rules, "sale", null, 50)).toBeNull();
  });
  it("matches the event", () => {
    expect(pickRule(rules, "lead", "gold", 1000)?.id).toBe("lead");
  });
  it("computes percent with half-away-from-zero rounding, and flat as is", () => {
    expect(commissionAmount({ type: "percent", value: 200_000 }, 4999)).toBe(1000); // 20% of 49.99 = 9.998
    expect(commissionAmount({ type: "percent", value: 125_000 }, 4)).toBe(1); // 12.5% of 0.04 = 0.005 → 0.01
    expect(commissionAmount({ type: "percent", value: 125_000 }, 3)).toBe(0); // 0.00375 → 0.00
    expect(commissionAmount({ type: "flat", value: 500 }, 0)).toBe(500);
  });
});
