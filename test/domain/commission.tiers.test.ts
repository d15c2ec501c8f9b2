import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { commissionAmount, pickRule, type CommissionRule } from "../../src/domain/commission";
import { canApply, type CommissionStatus } from "../../src/domain/lifecycle";
import { formatMoney, parseMoney, parsePercent, prorate } from "../../src/domain/money";

const rule = (over: Partial<CommissionRule>): CommissionRule => ({ id: "r", tierId: null, event: "sale", type: "percent", value: 200_000, createdAt: 100, ...over });

describe("pickRule: tier precedence", () => {
  it("a tier rule wins even when a program-wide rule is newer", () => {
    const rules = [rule({ id: "tier", tierId: "gold", createdAt: 100 }), rule({ id: "wide", createdAt: 900 })];
    expect(pickRule(rules, "sale", "gold", 1000)?.id).toBe("tier");
    expect(pickRule([...rules].reverse(), "sale", "gold", 1000)?.id).toBe("tier");
  });

  it("another tier's rule never applies, not even without a program-wide one", () => {
    expect(pickRule([rule({ id: "silver", tierId: "silver" })], "sale", "gold", 1000)).toBeNull();
    expect(pickRule([rule({ id: "silver", tierId: "silver" })], "sale", null, 1000)).toBeNull();
  });

  it("a tier rule created after the conversion does not apply; the program-wide one does", () => {
    const rules = [rule({ id: "wide", createdAt: 100 }), rule({ id: "tier", tierId: "gold", createdAt: 500 })];
    expect(pickRule(rules, "sale", "gold", 499)?.id).toBe("wide");
    expect(pickRule(rules, "sale", "gold", 500)?.id).toBe("tier"); // created at that very time: it exists
  });

  it("a tier rule for the other event does not apply", () => {
    const rules = [rule({ id: "wide-sale" }), rule({ id: "gold-lead", tierId: "gold", event: "lead", type: "flat", value: 100 })];
    expect(pickRule(rules, "sale", "gold", 1000)?.id).toBe("wide-sale");
    expect(pickRule(rules, "lead", "gold", 1000)?.id).toBe("gold-lead");
  });

  it("among several rules of the partner's tier the newest wins", () => {
    const rules = [rule({ id: "g1", tierId: "gold", createdAt: 100 }), rule({ id: "g2", tierId: "gold", createdAt: 300 }), rule({ id: "g0", tierId: "gold", createdAt: 200 })];
    expect(pickRule(rules, "sale", "gold", 1000)?.id).toBe("g2");
  });

  it("property: the pick is the newest applicable tier rule, else the newest applicable program-wide rule", () => {
    const arbRule = fc.record({
      id: fc.uuid(),
      tierId: fc.constantFrom<string | null>(null, "gold", "silver"),
      event: fc.constantFrom<"sale" | "lead">("sale", "lead"),
      type: fc.constantFrom<"percent" | "flat">("percent", "flat"),
      value: fc.integer({ min: 0, max: 1_000_000 }),
      createdAt: fc.integer({ min: 0, max: 1000 }),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(arbRule, { maxLength: 12, selector: (r) => r.createdAt }), // distinct times: "newest" is unambiguous
        fc.constantFrom<"sale" | "lead">("sale", "lead"),
        fc.constantFrom<string | null>(null, "gold", "silver", "bronze"),
        fc.integer({ min: 0, max: 1100 }),
        (rules, event, tierId, at) => {
          const applicable = rules.filter((r) => r.event === event && r.createdAt <= at);
          const newest = (rs: CommissionRule[]) => rs.reduce<CommissionRule | null>((a, r) => (!a || r.createdAt > a.createdAt ? r : a), null);
          const expected = newest(applicable.filter((r) => tierId !== null && r.tierId === tierId)) ?? newest(applicable.filter((r) => r.tierId === null));
          expect(pickRule(rules, event, tierId, at)).toBe(expected);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("commission math in the currency's minor units", () => {
  const minor = (v: string, currency: string) => {
    const r = parseMoney(v, currency);
    if (!r.ok) throw new Error(r.message);
    return r.minor;
  };
  const pct = (v: string) => {
    const r = parsePercent(v);
    if (!r.ok) throw new Error(r.message);
    return r.scaled;
  };
  const percentOf = (p: string, amount: string, currency: string) => formatMoney(commissionAmount({ type: "percent", value: pct(p) }, minor(amount, currency)), currency);

  it("JPY has no minor unit: percents round to whole yen, half away from zero", () => {
    expect(percentOf("20", "1500", "JPY")).toBe("300");
    expect(percentOf("12.5", "1999", "JPY")).toBe("250"); // 249.875
    expect(percentOf("10", "15", "JPY")).toBe("2"); // 1.5 → 2
    expect(percentOf("10", "14", "JPY")).toBe("1"); // 1.4
    expect(formatMoney(commissionAmount({ type: "flat", value: minor("500", "JPY") }, minor("1500", "JPY")), "JPY")).toBe("500");
    expect(parseMoney("1500.5", "JPY").ok).toBe(false);
  });

  it("KWD has three decimals", () => {
    expect(percentOf("20", "12.345", "KWD")).toBe("2.469");
    expect(percentOf("12.5", "0.004", "KWD")).toBe("0.001"); // 0.0005 → 0.001
    expect(percentOf("12.5", "0.003", "KWD")).toBe("0.000"); // 0.000375
    expect(formatMoney(commissionAmount({ type: "flat", value: minor("1.5", "KWD") }, 0), "KWD")).toBe("1.500");
    expect(parseMoney("1.2345", "KWD").ok).toBe(false);
  });

  it("refund proration works in each currency's minor units", () => {
    // JPY: commission 300 of 1500; 500 refunded: round(300 × 1000 ÷ 1500) = 200
    expect(prorate(300, 1000, 1500)).toBe(200);
    // KWD: commission 2.469 of 12.345; 0.001 left: round(2469 × 1 ÷ 12345) = 0
    expect(prorate(2469, 1, 12_345)).toBe(0);
    // KWD: 6.173 left of 12.345: round(2469 × 6173 ÷ 12345) = round(1234.6...) = 1235
    expect(prorate(2469, 6173, 12_345)).toBe(1235);
  });

  it("property: a percent commission never exceeds the amount and is within half a minor unit of the exact value", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 ** 12 }), fc.integer({ min: 0, max: 1_000_000 }), (amount, scaled) => {
        const c = commissionAmount({ type: "percent", value: scaled }, amount);
        expect(c).toBeGreaterThanOrEqual(0);
        expect(c).toBeLessThanOrEqual(amount);
        // |c − amount × scaled / 1 000 000| ≤ 1/2, checked exactly with BigInt
        const diff2 = 2n * (BigInt(c) * 1_000_000n - BigInt(amount) * BigInt(scaled));
        expect(diff2 <= 1_000_000n && diff2 >= -1_000_000n).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe("commission lifecycle transitions", () => {
  const ALL: CommissionStatus[] = ["hold", "pending", "approved", "paid", "reversed", "rejected"];
  it.each(ALL)("from %s", (status) => {
    expect(canApply("approve", status)).toBe(status === "hold");
    expect(canApply("reject", status)).toBe(status === "hold" || status === "pending");
  });
});
