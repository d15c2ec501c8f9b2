import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { averageOf, countScores, npsOf, quarterOf } from "../../src/domain/satisfaction";

describe("NPS", () => {
  it("known cases: all promoters 100, all detractors −100, passives 0, none null, a third rounds", () => {
    expect(npsOf(countScores([9, 10, 10]))).toBe(100);
    expect(npsOf(countScores([0, 6, 3]))).toBe(-100);
    expect(npsOf(countScores([7, 8]))).toBe(0);
    expect(npsOf(countScores([]))).toBeNull();
    expect(npsOf(countScores([10, 7, 7]))).toBe(33); // 33.3…
    expect(npsOf(countScores([10, 10, 7]))).toBe(67); // 66.6…
    expect(npsOf(countScores([10, 0, 0]))).toBe(-33);
    expect(npsOf(countScores([10, 7, 7, 7, 7, 7, 7, 7]))).toBe(13); // 12.5 rounds away from zero
    expect(npsOf(countScores([0, 7, 7, 7, 7, 7, 7, 7]))).toBe(-13);
    expect(Object.is(npsOf(countScores([10, 0])), 0)).toBe(true); // never −0
    expect(averageOf(countScores([10, 7, 7]))).toBe(8);
    expect(averageOf(countScores([10, 7, 6]))).toBe(7.67);
    expect(averageOf(countScores([]))).toBeNull();
  });

  it("equals % promoters − % detractors counted directly, is an integer in [−100, 100], and is symmetric", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10 }), { maxLength: 300 }), (scores) => {
        const nps = npsOf(countScores(scores));
        if (scores.length === 0) {
          expect(nps).toBeNull();
          return;
        }
        const promoters = scores.filter((s) => s === 9 || s === 10).length;
        const detractors = scores.filter((s) => s >= 0 && s <= 6).length;
        const exact = ((promoters - detractors) / scores.length) * 100;
        expect(Number.isInteger(nps)).toBe(true);
        expect(nps).toBeGreaterThanOrEqual(-100);
        expect(nps).toBeLessThanOrEqual(100);
        expect(Math.abs(nps! - exact)).toBeLessThanOrEqual(0.5);
        // swapping promoters and detractors negates it
        const mirrored = scores.map((s) => (s >= 9 ? 0 : s <= 6 ? 10 : s));
        expect(npsOf(countScores(mirrored))).toBe(nps === 0 ? 0 : -nps!);
        const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
        expect(Math.abs(averageOf(countScores(scores))! - mean)).toBeLessThanOrEqual(0.005 + 1e-9);
      }),
    );
  });
});

describe("quarterOf", () => {
  it("is the UTC calendar quarter", () => {
    expect(quarterOf(Date.UTC(2026, 0, 1))).toBe("2026-Q1");
    expect(quarterOf(Date.UTC(2026, 2, 31, 23, 59, 59, 999))).toBe("2026-Q1");
    expect(quarterOf(Date.UTC(2026, 3, 1))).toBe("2026-Q2");
    expect(quarterOf(Date.UTC(2026, 11, 31, 23))).toBe("2026-Q4");
  });
});
