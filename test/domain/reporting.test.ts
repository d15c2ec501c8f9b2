import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dayNumber, parseIsoDay } from "../../src/domain/dates";
import { contribution, delta, isoFromDay, isZero, NO_CONTRIBUTION, rates, utcDay } from "../../src/domain/reporting";

const NOW = Date.UTC(2026, 10, 22);
/** The day number of a YYYY-MM-DD string, or null (dates are validated in domain/dates). */
const dayFromIso = (text: string) => { const r = parseIsoDay(text, NOW); return r.ok ? dayNumber(r.ms) : null; };

const STATUSES = ["hold", "pending", "approved", "paid", "reversed", "rejected"] as const;

describe("contribution: what one conversion adds to a report row", () => {
  it("an attributed conversion counts once, with its amount less refunds and its commission", () => {
    expect(contribution({ status: "attributed", amount: 10_000, refunded: 2_500 }, { amount: 1_500, status: "pending" })).toEqual({ conversions: 1, revenue: 7_500, commission: 1_500 });
  });

  it("an unattributed conversion adds nothing", () => {
    expect(contribution({ status: "unattributed", amount: 10_000, refunded: 0 }, null)).toEqual(NO_CONTRIBUTION);
  });

  it("a fully refunded conversion adds nothing, also with more refunded than the amount", () => {
    expect(contribution({ status: "attributed", amount: 10_000, refunded: 10_000 }, { amount: 0, status: "reversed" })).toEqual(NO_CONTRIBUTION);
    expect(contribution({ status: "attributed", amount: 10_000, refunded: 10_000 }, { amount: 2_000, status: "paid" })).toEqual(NO_CONTRIBUTION);
    expect(contribution({ status: "attributed", amount: 100, refunded: 101 }, null)).toEqual(NO_CONTRIBUTION);
  });

  it("one minor unit left still counts as a conversion", () => {
    expect(contribution({ status: "attributed", amount: 10_000, refunded: 9_999 }, { amount: 0, status: "pending" })).toEqual({ conversions: 1, revenue: 1, commission: 0 });
  });

  it.each(STATUSES)("a %s commission counts unless rejected or reversed", (status) => {
    const c = contribution({ status: "attributed", amount: 5_000, refunded: 0 }, { amount: 1_000, status });
    expect(c.conversions).toBe(1);
    expect(c.revenue).toBe(5_000);
    expect(c.commission).toBe(status === "rejected" || status === "reversed" ? 0 : 1_000);
  });

  it("a lead with amount 0 counts as a conversion, with its flat commission", () => {
    expect(contribution({ status: "attributed", amount: 0, refunded: 0 }, { amount: 500, status: "pending" })).toEqual({ conversions: 1, revenue: 0, commission: 500 });
    expect(contribution({ status: "attributed", amount: 0, refunded: 0 }, null)).toEqual({ conversions: 1, revenue: 0, commission: 0 });
  });

  it("no commission (no rule matched) counts the conversion with zero commission", () => {
    expect(contribution({ status: "attributed", amount: 4_999, refunded: 0 }, null)).toEqual({ conversions: 1, revenue: 4_999, commission: 0 });
  });
});

describe("delta", () => {
  it("is after minus before, field by field", () => {
    expect(delta({ conversions: 1, revenue: 700, commission: 140 }, { conversions: 1, revenue: 1000, commission: 200 })).toEqual({ conversions: 0, revenue: -300, commission: -60 });
    expect(delta(NO_CONTRIBUTION, { conversions: 1, revenue: 1000, commission: 200 })).toEqual({ conversions: -1, revenue: -1000, commission: -200 });
    expect(isZero(delta({ conversions: 1, revenue: 5, commission: 1 }, { conversions: 1, revenue: 5, commission: 1 }))).toBe(true);
    expect(isZero({ conversions: 0, revenue: 0, commission: 1 })).toBe(false);
  });

  it("property: applying the deltas of a lifecycle in order leaves exactly the final contribution", () => {
    const arbState = fc.record({
      refunded: fc.integer({ min: 0, max: 10_000 }),
      commission: fc.option(fc.record({ amount: fc.integer({ min: 0, max: 3_000 }), status: fc.constantFrom(...STATUSES) }), { nil: null }),
    });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.constantFrom("attributed", "unattributed"), fc.array(arbState, { minLength: 1, maxLength: 8 }), (amount, status, states) => {
        let sum = { ...NO_CONTRIBUTION };
        let before = NO_CONTRIBUTION;
        for (const s of states) {
          const after = contribution({ status, amount, refunded: Math.min(s.refunded, amount) }, s.commission);
          const d = delta(after, before);
          sum = { conversions: sum.conversions + d.conversions, revenue: sum.revenue + d.revenue, commission: sum.commission + d.commission };
          before = after;
        }
        expect(sum).toEqual(before);
      }),
      { numRuns: 300 },
    );
  });
});

describe("UTC days", () => {
  it("maps times to UTC days and back", () => {
    const day = utcDay(Date.UTC(2026, 10, 22, 23, 59, 59, 999));
    expect(utcDay(Date.UTC(2026, 10, 23))).toBe(day + 1);
    expect(isoFromDay(day)).toBe("2026-11-22");
    expect(dayFromIso("2026-11-22")).toBe(day);
    expect(dayFromIso("2000-01-01")).toBe(10_957);
  });

  it("rejects what is not a YYYY-MM-DD date", () => {
    for (const bad of ["2026-11-22T00:00:00Z", "2026-1-2", "22.11.2026", "", "2026-13-01", "2026-00-10", "2026-01-32", "abcd-ef-gh"]) expect(dayFromIso(bad)).toBeNull();
  });

  it("property: isoFromDay and dayFromIso round-trip", () => {
    fc.assert(fc.property(fc.integer({ min: 10_957, max: 50_000 }), (d) => {
      expect(dayFromIso(isoFromDay(d))).toBe(d);
    }), { numRuns: 200 });
  });
});

describe("rates", () => {
  it("conversion rate and earnings per click, zero without clicks", () => {
    expect(rates({ clicks: 0, conversions: 3, commission: 900n })).toEqual({ conversionRate: 0, epc: 0n });
    expect(rates({ clicks: 4, conversions: 1, commission: 1000n })).toEqual({ conversionRate: 0.25, epc: 250n });
    expect(rates({ clicks: 3, conversions: 1, commission: 5n }).epc).toBe(2n); // 1.67 → 2
    expect(rates({ clicks: 2, conversions: 1, commission: 3n }).epc).toBe(2n); // 1.5 → 2, half away from zero
    expect(rates({ clicks: 2, conversions: 1, commission: -3n }).epc).toBe(-2n); // a net clawback: -1.5 → -2
    // a commission sum beyond 2^53 divides exactly
    expect(rates({ clicks: 3, conversions: 1, commission: 27_021_597_764_222_979n }).epc).toBe(9_007_199_254_740_993n);
  });
});
