import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { assignTier, nextTierGap, type PartnerMetrics, type TierRule } from "../../src/domain/tiers";

const tier = (over: Partial<TierRule> & Pick<TierRule, "id" | "rank">): TierRule => ({ metric: "revenue", threshold: 0, windowDays: 90, ...over });
const metrics = (byWindow: Record<number, { revenue: number; conversions: number }>): PartnerMetrics => ({
  byWindow: new Map(Object.entries(byWindow).map(([k, v]) => [Number(k), v])),
});
const NONE = metrics({});

const entry = tier({ id: "entry", rank: 0 });
const silver = tier({ id: "silver", rank: 1, metric: "revenue", threshold: 100_000, windowDays: 90 });
const gold = tier({ id: "gold", rank: 2, metric: "revenue", threshold: 500_000, windowDays: 90 });
const ladder = [entry, silver, gold];

describe("assignTier", () => {
  it("puts a partner without results in the entry tier", () => {
    expect(assignTier(ladder, NONE).tier.id).toBe("entry");
    expect(assignTier([entry], metrics({ 90: { revenue: 10 ** 9, conversions: 10 ** 6 } })).tier.id).toBe("entry");
  });

  it("treats thresholds as inclusive: one minor unit below stays, exactly at moves up", () => {
    expect(assignTier(ladder, metrics({ 90: { revenue: 99_999, conversions: 0 } })).tier.id).toBe("entry");
    expect(assignTier(ladder, metrics({ 90: { revenue: 100_000, conversions: 0 } })).tier.id).toBe("silver");
    expect(assignTier(ladder, metrics({ 90: { revenue: 499_999, conversions: 0 } })).tier.id).toBe("silver");
    expect(assignTier(ladder, metrics({ 90: { revenue: 500_000, conversions: 0 } })).tier.id).toBe("gold");
  });

  it("reports the metric value that placed the partner", () => {
    expect(assignTier(ladder, metrics({ 90: { revenue: 123_456, conversions: 7 } }))).toEqual({ tier: silver, metricValue: 123_456 });
  });

  it("picks the highest rank that qualifies, whatever the order of the list and the thresholds", () => {
    // a higher rank with a lower threshold still wins when both qualify
    const cheapTop = tier({ id: "top", rank: 5, threshold: 50_000 });
    const m = metrics({ 90: { revenue: 600_000, conversions: 0 } });
    expect(assignTier([gold, cheapTop, entry, silver], m).tier.id).toBe("top");
    expect(assignTier([cheapTop, silver, gold, entry], metrics({ 90: { revenue: 60_000, conversions: 0 } })).tier.id).toBe("top");
  });

  it("uses each tier's own metric", () => {
    const byCount = tier({ id: "count", rank: 1, metric: "conversions", threshold: 10 });
    const byRevenue = tier({ id: "rev", rank: 2, metric: "revenue", threshold: 10 });
    // 10 conversions but only 0.09 revenue: the conversions tier, not the revenue one
    expect(assignTier([entry, byCount, byRevenue], metrics({ 90: { revenue: 9, conversions: 10 } })).tier.id).toBe("count");
    // lots of revenue, few conversions: revenue tier (rank 2) qualifies on its own
    expect(assignTier([entry, byCount, byRevenue], metrics({ 90: { revenue: 10, conversions: 1 } })).tier.id).toBe("rev");
    expect(assignTier([entry, byCount], metrics({ 90: { revenue: 10 ** 9, conversions: 9 } })).tier.id).toBe("entry");
  });

  it("uses each tier's own window", () => {
    const monthly = tier({ id: "monthly", rank: 1, threshold: 1000, windowDays: 30 });
    const yearly = tier({ id: "yearly", rank: 2, threshold: 1000, windowDays: 365 });
    expect(assignTier([entry, monthly, yearly], metrics({ 30: { revenue: 1000, conversions: 1 }, 365: { revenue: 999, conversions: 1 } })).tier.id).toBe("monthly");
    expect(assignTier([entry, monthly, yearly], metrics({ 30: { revenue: 0, conversions: 0 }, 365: { revenue: 5000, conversions: 3 } })).tier.id).toBe("yearly");
    // a window the metrics do not have counts as zero
    expect(assignTier([entry, monthly], metrics({ 365: { revenue: 5000, conversions: 3 } })).tier.id).toBe("entry");
  });

  it("a zero threshold qualifies with zero results", () => {
    expect(assignTier([entry, tier({ id: "free", rank: 1, threshold: 0 })], NONE).tier.id).toBe("free");
  });

  it("throws when the program has no entry tier and nothing qualifies", () => {
    expect(() => assignTier([silver], NONE)).toThrow();
  });

  it("property: the result qualifies, and no higher-ranked tier does", () => {
    const windows = [7, 30, 90];
    const arbTier = (rank: number) =>
      fc.record({
        metric: fc.constantFrom<"revenue" | "conversions">("revenue", "conversions"),
        threshold: fc.integer({ min: 0, max: 2000 }),
        windowDays: fc.constantFrom(...windows),
      }).map((t) => ({ ...t, id: `t${rank}`, rank }));
    const arbLadder = fc.uniqueArray(fc.integer({ min: 1, max: 20 }), { maxLength: 6 }).chain((ranks) =>
      fc.tuple(...ranks.map(arbTier)).map((ts) => [entry, ...ts] as TierRule[]),
    );
    const arbMetrics = fc.record({ 7: fc.integer({ min: 0, max: 2000 }), 30: fc.integer({ min: 0, max: 2000 }), 90: fc.integer({ min: 0, max: 2000 }) }).map((r) =>
      metrics({ 7: { revenue: r[7], conversions: r[7] % 50 }, 30: { revenue: r[30], conversions: r[30] % 50 }, 90: { revenue: r[90], conversions: r[90] % 50 } }),
    );
    fc.assert(
      fc.property(arbLadder, arbMetrics, fc.boolean(), (tiers, m, reverse) => {
        const list = reverse ? [...tiers].reverse() : tiers;
        const value = (t: TierRule) => {
          const w = m.byWindow.get(t.windowDays)!;
          return t.metric === "revenue" ? w.revenue : w.conversions;
        };
        const qualifies = (t: TierRule) => t.rank === 0 || value(t) >= t.threshold;
        const { tier: got, metricValue } = assignTier(list, m);
        expect(qualifies(got)).toBe(true);
        expect(metricValue).toBe(value(got));
        for (const t of tiers) if (t.rank > got.rank) expect(qualifies(t)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});

describe("nextTierGap", () => {
  it("names the next rank up and what is missing, in the tier's own metric and window", () => {
    expect(nextTierGap(ladder, 0, metrics({ 90: { revenue: 25_000, conversions: 3 } }))).toEqual({ tier: silver, missing: 75_000 });
    expect(nextTierGap(ladder, 1, metrics({ 90: { revenue: 125_000, conversions: 3 } }))).toEqual({ tier: gold, missing: 375_000 });
    const byCount = tier({ id: "count", rank: 3, metric: "conversions", threshold: 10, windowDays: 30 });
    expect(nextTierGap([...ladder, byCount], 2, metrics({ 30: { revenue: 10 ** 9, conversions: 4 }, 90: { revenue: 0, conversions: 40 } }))).toEqual({ tier: byCount, missing: 6 });
  });

  it("skips over gaps in ranks to the nearest higher one, whatever the list order", () => {
    const five = tier({ id: "five", rank: 5, threshold: 10 });
    const nine = tier({ id: "nine", rank: 9, threshold: 20 });
    expect(nextTierGap([nine, entry, five], 0, NONE)).toEqual({ tier: five, missing: 10 });
    expect(nextTierGap([nine, entry, five], 5, NONE)).toEqual({ tier: nine, missing: 20 });
  });

  it("missing is never negative (already qualifies, not yet settled)", () => {
    expect(nextTierGap(ladder, 0, metrics({ 90: { revenue: 900_000, conversions: 0 } }))).toEqual({ tier: silver, missing: 0 });
  });

  it("is null at the top", () => {
    expect(nextTierGap(ladder, 2, NONE)).toBeNull();
    expect(nextTierGap([entry], 0, NONE)).toBeNull();
  });
});
