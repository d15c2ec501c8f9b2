import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { niceMax } from "../../dashboard/chart";

/** The leading digits of a positive number: 1250 → 1.25. */
const mantissa = (v: number) => Number((v / 10 ** Math.floor(Math.log10(v))).toPrecision(12));

describe("chart axis maximum", () => {
  it("covers the data with a round top and a round middle, never more than 2.5× the data", () => {
    fc.assert(fc.property(fc.double({ min: 0.01, max: 1e12, noNaN: true }), (max) => {
      const top = niceMax(max);
      expect(top).toBeGreaterThanOrEqual(max);
      expect(top).toBeLessThanOrEqual(max * 2.5);
      expect([1, 2, 4, 5]).toContain(mantissa(top));
      expect([1, 2, 2.5, 5]).toContain(mantissa(top / 2));
    }));
  });

  it("picks the expected steps", () => {
    expect([0, 1, 3, 7, 10, 11, 2000, 2001, 4500, 2_345_678].map(niceMax)).toEqual([1, 1, 4, 10, 10, 20, 2000, 4000, 5000, 4_000_000]);
  });
});

describe("chart wording", () => {
  it("says 1 click and 1 conversion, 2 clicks and 0 conversions (no '1 clicks')", async () => {
    const { TimeSeriesChart } = await import("../../dashboard/chart");
    const { Fmt } = await import("../../dashboard/format");
    const fmt = Fmt.for("en-US", "USD");
    const one = String(TimeSeriesChart({ points: [{ day: "2026-06-01", clicks: 1, conversions: 1, revenue: 5000n }], fmt, title: "t" }));
    expect(one).toContain("1 day from 2026-06-01 to 2026-06-01: 1 click, 1 conversion, $50.00 revenue.");
    expect(one).toContain("1 click, 1 conversion, $50.00 revenue</title>");
    const two = String(TimeSeriesChart({ points: [{ day: "2026-06-01", clicks: 2, conversions: 0, revenue: 0n }, { day: "2026-06-02", clicks: 0, conversions: 0, revenue: 0n }], fmt, title: "t" }));
    expect(two).toContain("2 days from 2026-06-01 to 2026-06-02: 2 clicks, 0 conversions");
    expect(fmt.count(1_000, "partner")).toBe("1,000 partners");
  });
});
