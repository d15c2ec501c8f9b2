// The lead routing rule, in one place. The service gathers the candidates; this decides.
export const LEAD_STATUSES = ["offered", "accepted", "unassigned", "converted"] as const;
export type LeadStatus = (typeof LEAD_STATUSES)[number];
/** Leads that take a place of a partner's capacity. */
export const OPEN_LEAD_STATUSES = ["offered", "accepted"] as const satisfies readonly LeadStatus[];

export const ATTEMPT_OUTCOMES = ["pending", "accepted", "declined", "timed_out", "reassigned", "converted"] as const;
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];

export interface LeadProfile {
  /** ISO country codes, upper-case; empty means any */
  countries: string[];
  /** lower-case; empty means any */
  verticals: string[];
  /** 0 means no leads */
  leadCapacity: number;
}

export const DEFAULT_PROFILE: LeadProfile = { countries: [], verticals: [], leadCapacity: 0 };

export interface RoutingCandidate {
  id: string;
  /** partner status: only `approved` partners get leads */
  status: string;
  /** whether the partner has accepted the program's current agreement (true while there is none) */
  agreementAccepted: boolean;
  tierRank: number;
  profile: LeadProfile;
  openLeads: number;
  /** when this partner was last offered a lead (null: never; oldest first) */
  lastOfferAt: number | null;
}

export interface RoutedLead {
  country: string | null;
  vertical: string | null;
  minTierRank: number | null;
}

/** Whether a partner may be offered the lead (the first half of the rule). */
export function isEligible(p: RoutingCandidate, lead: RoutedLead, tried: ReadonlySet<string>): boolean {
  if (p.status !== "approved" || !p.agreementAccepted) return false;
  if (tried.has(p.id)) return false;
  if (lead.minTierRank !== null && p.tierRank < lead.minTierRank) return false;
  if (p.openLeads >= p.profile.leadCapacity) return false;
  if (p.profile.countries.length > 0 && (!lead.country || !p.profile.countries.includes(lead.country))) return false;
  if (p.profile.verticals.length > 0 && (!lead.vertical || !p.profile.verticals.includes(lead.vertical))) return false;
  return true;
}

/** Orders eligible partners: fewest open leads, then oldest last offer (never offered first), then id. */
export function compareCandidates(a: RoutingCandidate, b: RoutingCandidate): number {
  if (a.openLeads !== b.openLeads) return a.openLeads - b.openLeads;
  const la = a.lastOfferAt ?? -Infinity;
  const lb = b.lastOfferAt ?? -Infinity;
  if (la !== lb) return la < lb ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * The routing rule: among partners that are approved, have accepted the current agreement, match
 * the lead's country and vertical, are in a tier of at least `minTierRank`, have fewer open leads
 * than their capacity and have not declined or timed out on this lead, the one with the fewest
 * open leads; ties go to the oldest last offer (round robin), then the smallest id. Null: nobody.
 */
export function routeLead(candidates: readonly RoutingCandidate[], lead: RoutedLead, tried: ReadonlySet<string> = new Set()): RoutingCandidate | null {
  let best: RoutingCandidate | null = null;
  for (const p of candidates) {
    if (!isEligible(p, lead, tried)) continue;
    if (!best || compareCandidates(p, best) < 0) best = p;
  }
  return best;
}

export const respondByOf = (now: number, leadSlaHours: number): number => now + leadSlaHours * 3_600_000;

/** Profiles in: countries upper-cased, verticals lower-cased, duplicates dropped. */
export function normalizeProfile(p: LeadProfile): LeadProfile {
  return {
    countries: [...new Set(p.countries.map((c) => c.trim().toUpperCase()))],
    verticals: [...new Set(p.verticals.map((v) => v.trim().toLowerCase()))],
    leadCapacity: p.leadCapacity,
  };
}

