import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareCandidates, isEligible, routeLead, type RoutingCandidate } from "../../src/domain/leads";

const COUNTRIES = ["DE", "FR", "US"];
const VERTICALS = ["saas", "retail"];
const partner = (i: number) =>
  fc.record({
    status: fc.constantFrom("approved", "approved", "approved", "deactivated"),
    agreementAccepted: fc.constantFrom(true, true, true, false),
    tierRank: fc.integer({ min: 0, max: 3 }),
    countries: fc.subarray(COUNTRIES), verticals: fc.subarray(VERTICALS), leadCapacity: fc.integer({ min: 0, max: 4 }),
  }).map((p): RoutingCandidate => ({
    id: `p${String(i).padStart(3, "0")}`, status: p.status, agreementAccepted: p.agreementAccepted, tierRank: p.tierRank,
    profile: { countries: p.countries, verticals: p.verticals, leadCapacity: p.leadCapacity }, openLeads: 0, lastOfferAt: null,
  }));
const partners = fc.integer({ min: 1, max: 12 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => partner(i))));
const lead = fc.record({ country: fc.option(fc.constantFrom(...COUNTRIES)), vertical: fc.option(fc.constantFrom(...VERTICALS)), minTierRank: fc.option(fc.integer({ min: 0, max: 3 })) });

describe("routing rule", () => {
  it("for random partners and lead streams: each offer goes to an eligible partner with the fewest open leads, and nobody exceeds capacity", () => {
    fc.assert(fc.property(partners, fc.array(lead, { maxLength: 40 }), (ps, stream) => {
      const state = ps.map((p) => ({ ...p }));
      let now = 0;
      for (const l of stream) {
        now++;
        const chosen = routeLead(state, l);
        const eligible = state.filter((p) => isEligible(p, l, new Set()));
        if (!chosen) {
          expect(eligible).toEqual([]);
          continue;
        }
        expect(isEligible(chosen, l, new Set())).toBe(true);
        expect(chosen.openLeads).toBe(Math.min(...eligible.map((p) => p.openLeads)));
        for (const p of eligible) expect(compareCandidates(chosen, p)).toBeLessThanOrEqual(0);
        chosen.openLeads++;
        chosen.lastOfferAt = now;
        for (const p of state) expect(p.openLeads).toBeLessThanOrEqual(p.profile.leadCapacity);
      }
    }));
  });

  it("a partner that declined or timed out is never offered the lead again", () => {
    fc.assert(fc.property(partners, lead, (ps, l) => {
      const tried = new Set<string>();
      for (let i = 0; i <= ps.length; i++) {
        const chosen = routeLead(ps, l, tried);
        if (!chosen) break;
        expect(tried.has(chosen.id)).toBe(false);
        tried.add(chosen.id);
      }
    }));
  });

  it("ties: the oldest last offer (never offered first), then the smallest id", () => {
    const c = (id: string, lastOfferAt: number | null): RoutingCandidate => ({ id, status: "approved", agreementAccepted: true, tierRank: 0, profile: { countries: [], verticals: [], leadCapacity: 1 }, openLeads: 0, lastOfferAt });
    const l = { country: null, vertical: null, minTierRank: null };
    expect(routeLead([c("a", 5), c("b", 3), c("c", 4)], l)?.id).toBe("b");
    expect(routeLead([c("a", 5), c("z", null), c("y", null)], l)?.id).toBe("y");
  });
});
