import { DAY_MS } from "./dates";
import { partnerStage, type Stage, type StageFacts } from "./stages";

/**
 * The program KPIs of CONTRACT-PRM §1 from per-partner journey facts and the period's
 * applications. A partner counts whatever its status is now. Rates are decimal strings.
 */
export interface KpiPartner {
  createdAt: number;
  facts: StageFacts;
  inPeriod: boolean;
  inPrevious: boolean;
  firstBefore: number | null;
}

export interface KpiApplication {
  status: "pending" | "approved" | "rejected";
  source: string | null;
}

/** n ÷ d as a decimal string with up to 4 digits ("0.25", "1", "0.3333"); null when d is 0. */
export function ratio(n: number, d: number): string | null {
  if (d === 0) return null;
  const scaled = Math.round((n * 10_000) / d);
  const whole = Math.floor(scaled / 10_000);
  const frac = String(scaled % 10_000).padStart(4, "0").replace(/0+$/, "");
  return frac ? `${whole}.${frac}` : String(whole);
}

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function programKpis(input: { from: number; to: number; partners: KpiPartner[]; applications: KpiApplication[]; pendingNow: number }) {
  const { from, to } = input;
  const approved = input.applications.filter((a) => a.status === "approved").length;
  const rejected = input.applications.filter((a) => a.status === "rejected").length;
  const fresh = input.partners.filter((p) => p.createdAt >= from && p.createdAt < to);
  const activated = fresh.filter((p) => p.firstBefore !== null);
  const days = activated.map((p) => Math.round((Math.max(0, p.firstBefore! - p.createdAt) / DAY_MS) * 100) / 100);
  const byStage: Record<Stage, number> = { interest: input.pendingNow, recruitment: 0, activation: 0, investment: 0, devotion: 0 };
  for (const p of input.partners) byStage[partnerStage(p.facts).stage]++;
  const active = input.partners.filter((p) => p.inPeriod).length;
  const before = input.partners.filter((p) => p.inPrevious);
  const sources = new Map<string | null, { source: string | null; applications: number; approved: number }>();
  for (const a of input.applications) {
    const s = sources.get(a.source) ?? { source: a.source, applications: 0, approved: 0 };
    s.applications++;
    if (a.status === "approved") s.approved++;
    sources.set(a.source, s);
  }
  return {
    applications: { submitted: input.applications.length, approved, rejected, approvalRate: ratio(approved, approved + rejected) },
    partners: { new: fresh.length, active, byStage },
    activationRate: ratio(activated.length, fresh.length),
    medianDaysToFirstConversion: median(days),
    retention: ratio(before.filter((p) => p.inPeriod).length, before.length),
    joinSources: [...sources.values()].sort((a, b) => b.applications - a.applications || String(a.source).localeCompare(String(b.source))),
  };
}

/** Revenue ÷ active partners in minor units, rounded half up; null without active partners. */
export function perPartner(revenue: bigint, active: number): bigint | null {
  if (active === 0) return null;
  const n = BigInt(active);
  return revenue >= 0n ? (2n * revenue + n) / (2n * n) : -((2n * -revenue + n) / (2n * n));
}
