import { parseMoney } from "./money";

/** A tier as assignment sees it: reach `threshold` of `metric` over the last `windowDays`. */
export interface TierRule {
  id: string;
  rank: number;
  metric: "revenue" | "conversions";
  /** minor units for revenue, a count for conversions */
  threshold: number;
  windowDays: number;
}

export interface PartnerMetrics {
  /** by window length in days: net revenue (minor units) and conversion count in that window */
  byWindow: ReadonlyMap<number, { revenue: number; conversions: number }>;
}

/**
 * The highest-ranked tier whose threshold the partner's metric meets (thresholds are inclusive).
 * The entry tier (rank 0) always qualifies, so every partner has a tier.
 */
export function assignTier(tiers: readonly TierRule[], metrics: PartnerMetrics): { tier: TierRule; metricValue: number } {
  let best: { tier: TierRule; metricValue: number } | null = null;
  for (const tier of tiers) {
    const m = metrics.byWindow.get(tier.windowDays) ?? { revenue: 0, conversions: 0 };
    const value = tier.metric === "revenue" ? m.revenue : m.conversions;
    const qualifies = tier.rank === 0 || value >= tier.threshold;
    if (qualifies && (!best || tier.rank > best.tier.rank)) best = { tier, metricValue: value };
  }
  if (!best) throw new Error("a program always has an entry tier");
  return best;
}

/** What a partner still needs for the next tier up, or null at the top. */
export function nextTierGap<T extends TierRule>(tiers: readonly T[], currentRank: number, metrics: PartnerMetrics): { tier: T; missing: number } | null {
  const next = [...tiers].filter((t) => t.rank > currentRank).sort((a, b) => a.rank - b.rank)[0];
  if (!next) return null;
  const m = metrics.byWindow.get(next.windowDays) ?? { revenue: 0, conversions: 0 };
  const value = next.metric === "revenue" ? m.revenue : m.conversions;
  return { tier: next, missing: Math.max(0, next.threshold - value) };
}

/** A tier threshold as stored: minor units for revenue, a whole count for conversions. */
export function parseThreshold(metric: "revenue" | "conversions", input: string | number, currency: string): { ok: true; value: number } | { ok: false; message: string } {
  if (metric === "revenue") {
    const m = parseMoney(input, currency);
    if (!m.ok) return m;
    return m.minor < 0 ? { ok: false, message: "must not be negative" } : { ok: true, value: m.minor };
  }
  const n = typeof input === "number" ? input : /^\d{1,15}$/.test(input) ? Number(input) : NaN;
  if (!Number.isSafeInteger(n) || n < 0) return { ok: false, message: "a conversion count must be a whole number ≥ 0" };
  return { ok: true, value: n };
}

/**
 * Why a tier cannot be deleted, or null when it can: the entry tier (rank 0) is where every
 * new partner starts, and a tier that holds partners would leave them without one.
 */
export function tierDeletionBlocker(tier: { rank: number }, hasPartners: boolean): string | null {
  if (tier.rank === 0) return "the entry tier (rank 0) cannot be deleted: every new partner starts in it";
  if (hasPartners) return "this tier still has partners; they move on the next settle, or change its threshold first";
  return null;
}
