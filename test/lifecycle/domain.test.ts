import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { autoApproves, type AutoApproveRule, emailDomainOf, handleCandidate, handleFromName, HANDLE_PATTERN, missingAnswer } from "../../src/domain/applications";
import { median, perPartner, ratio } from "../../src/domain/kpis";
import { monthStart, partnerStage } from "../../src/domain/stages";
import { withPartnerStatus } from "../../src/domain/attribution";

describe("stage rules", () => {
  const f = (first: number | null, months: [boolean, boolean, boolean], above = false) => partnerStage({ firstConversionAt: first, months, aboveEntryTier: above }).stage;
  it("follows the contract's definitions", () => {
    expect(f(null, [false, false, false])).toBe("recruitment");
    expect(f(null, [false, false, false], true)).toBe("recruitment");
    expect(f(1, [false, false, false])).toBe("activation"); // converted long ago, nothing lately
    expect(f(1, [true, false, false])).toBe("activation");
    expect(f(1, [false, true, true])).toBe("investment");
    expect(f(1, [true, false, true])).toBe("investment");
    expect(f(1, [true, true, true])).toBe("investment"); // each month, but the entry tier
    expect(f(1, [true, true, true], true)).toBe("devotion");
    expect(f(1, [true, true, false], true)).toBe("investment");
  });
  it("agrees with a direct count for every combination, and always explains itself", () => {
    fc.assert(fc.property(fc.option(fc.integer({ min: 0, max: 2 ** 40 }), { nil: null }), fc.tuple(fc.boolean(), fc.boolean(), fc.boolean()), fc.boolean(), (first, months, above) => {
      const s = partnerStage({ firstConversionAt: first, months, aboveEntryTier: above });
      const n = months.filter(Boolean).length;
      const want = first === null ? "recruitment" : n === 3 && above ? "devotion" : n >= 2 ? "investment" : "activation";
      expect(s.stage).toBe(want);
      expect(s.stageReason.length).toBeGreaterThan(10);
    }));
  });
  it("the last 3 calendar months are the current UTC month and the two before it", () => {
    expect(new Date(monthStart(Date.UTC(2026, 0, 15), 2)).toISOString()).toBe("2025-11-01T00:00:00.000Z");
    expect(new Date(monthStart(Date.UTC(2026, 2, 31, 23, 59), 0)).toISOString()).toBe("2026-03-01T00:00:00.000Z");
    expect(new Date(monthStart(Date.UTC(2026, 11, 1), -1)).toISOString()).toBe("2027-01-01T00:00:00.000Z");
  });
});

describe("auto-approval rules", () => {
  const a = (email: string, country: string | null) => ({ email, country });
  it("needs every rule to hold; no rules is manual review", () => {
    expect(autoApproves([], a("x@y.com", "DE"))).toBe(false);
    const rules: AutoApproveRule[] = [{ field: "country", op: "is", values: ["DE", "FR"] }, { field: "emailDomain", op: "is_not", values: ["gmail.com"] }];
    expect(autoApproves([...rules], a("x@shop.de", "DE"))).toBe(true);
    expect(autoApproves([...rules], a("x@Gmail.COM", "DE"))).toBe(false);
    expect(autoApproves([...rules], a("x@shop.de", "US"))).toBe(false);
    expect(autoApproves([...rules], a("x@shop.de", null))).toBe(false); // an unknown country approves nothing
    expect(autoApproves([{ field: "country", op: "is_not", values: ["RU"] }], a("x@shop.de", null))).toBe(false);
    expect(autoApproves([{ field: "country", op: "is", values: ["de"] }], a("x@shop.de", "de"))).toBe(true);
  });
  it("is the conjunction of the single rules (property)", () => {
    const rule = fc.record({ field: fc.constantFrom("country" as const, "emailDomain" as const), op: fc.constantFrom("is" as const, "is_not" as const), values: fc.array(fc.constantFrom("DE", "FR", "a.com", "b.org"), { minLength: 1, maxLength: 3 }) });
    fc.assert(fc.property(fc.array(rule, { maxLength: 4 }), fc.constantFrom("a.com", "b.org", "c.net"), fc.option(fc.constantFrom("DE", "FR", "US"), { nil: null }), (rules, domain, country) => {
      const applicant = a(`x@${domain}`, country);
      const each = rules.map((r) => autoApproves([r], applicant));
      expect(autoApproves(rules, applicant)).toBe(rules.length > 0 && each.every(Boolean));
    }));
  });
  it("required questions and email domains", () => {
    const qs = [{ id: "site", label: "Site", required: true }, { id: "x", label: "X", required: false }];
    expect(missingAnswer(qs, {})?.id).toBe("site");
    expect(missingAnswer(qs, { site: "  " })?.id).toBe("site");
    expect(missingAnswer(qs, { site: "blog" })).toBeNull();
    expect(emailDomainOf("A@Sub.Example.COM")).toBe("sub.example.com");
  });
});

describe("handles", () => {
  it("are derived from names and always match the pattern", () => {
    expect(handleFromName("Acme Shop")).toBe("acme-shop");
    expect(handleFromName("Café Crème — EU!")).toBe("cafe-creme-eu");
    expect(handleFromName("X")).toBe("x-program");
    expect(handleCandidate("acme-shop", 3)).toBe("acme-shop-3");
    fc.assert(fc.property(fc.string({ maxLength: 80 }), fc.integer({ min: 1, max: 9999 }), (name, n) => {
      expect(handleCandidate(handleFromName(name), n)).toMatch(HANDLE_PATTERN);
    }));
  });
});

describe("KPI arithmetic and the inactive-partner rule", () => {
  it("ratio, median and revenue per partner", () => {
    expect(ratio(1, 4)).toBe("0.25");
    expect(ratio(1, 1)).toBe("1");
    expect(ratio(0, 3)).toBe("0");
    expect(ratio(1, 3)).toBe("0.3333");
    expect(ratio(1, 0)).toBeNull();
    expect(median([])).toBeNull();
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(perPartner(1000n, 3)).toBe(333n);
    expect(perPartner(1001n, 2)).toBe(501n);
    expect(perPartner(5n, 0)).toBeNull();
  });
  it("only approved partners keep an attribution", () => {
    const won = { attributed: true as const, partnerId: "p", linkId: null, clickId: null, clickTs: null, via: "coupon" as const };
    expect(withPartnerStatus(won, "approved")).toBe(won);
    expect(withPartnerStatus(won, "deactivated")).toEqual({ attributed: false, reason: "partner_inactive" });
    expect(withPartnerStatus(won, "banned")).toEqual({ attributed: false, reason: "partner_inactive" });
    const lost = { attributed: false as const, reason: "click_unknown" as const };
    expect(withPartnerStatus(lost, "banned")).toBe(lost);
  });
});
