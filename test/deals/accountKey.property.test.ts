import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { accountKey, isPersonalDomain, normalizeDomain } from "../../src/domain/accountKey";
import { decideRegistration, canTransition, DEAL_STATUSES, summarizePipeline } from "../../src/domain/deals";

const label = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?$/).filter((l) => !l.startsWith("xn--") && l !== "www" && !/^\d+$/.test(l));
const tld = fc.constantFrom("com", "de", "io", "co.uk", "org");
const domain = fc.tuple(label, tld).map(([l, t]) => `${l}.${t}`);

/** Spellings of one domain a partner might type. */
const spelling = (d: string) =>
  fc.tuple(fc.boolean(), fc.boolean(), fc.boolean(), fc.boolean(), fc.constantFrom("", ":443", ":8080"), fc.constantFrom("", "/", "/about?x=1")).map(
    ([upper, www, scheme, dot, port, path]) => {
      let s = www ? `www.${d}` : d;
      if (upper) s = s.toUpperCase();
      if (dot) s = `${s}.`;
      return `${scheme ? "https://" : ""}${s}${port}${path}`;
    },
  );

describe("account key", () => {
  it("equivalent spellings of a domain give one key", () => {
    fc.assert(fc.property(domain.chain((d) => fc.tuple(fc.constant(d), spelling(d), spelling(d))), ([d, a, b]) => {
      expect(normalizeDomain(a)).toBe(d);
      expect(normalizeDomain(b)).toBe(d);
    }));
  });

  it("different registrable domains never collide", () => {
    fc.assert(fc.property(domain, domain, (a, b) => {
      fc.pre(a !== b);
      expect(normalizeDomain(a)).not.toBe(normalizeDomain(b));
    }));
  });

  it("the contact email's domain stands in for a missing domain, spelled either way", () => {
    fc.assert(fc.property(domain, label, fc.boolean(), (d, user, upper) => {
      fc.pre(!isPersonalDomain(d)); // (short names such as l.co.uk are on the free-mail list)
      const email = `${user}@${upper ? d.toUpperCase() : d}`;
      expect(accountKey({ contactEmail: email })).toEqual({ ok: true, account: d });
      expect(accountKey({ domain: `www.${d}`, contactEmail: "x@gmail.com" })).toEqual({ ok: true, account: d });
    }));
  });

  it("IDNA: Unicode and punycode spellings are one key", () => {
    expect(normalizeDomain("Bücher.Example")).toBe("xn--bcher-kva.example");
    expect(normalizeDomain("https://www.xn--bcher-kva.example:8443/x")).toBe("xn--bcher-kva.example");
    expect(normalizeDomain("ＥＸＡＭＰＬＥ.com")).toBe("example.com");
  });

  it("free-mail and disposable domains key by the whole lower-cased email", () => {
    expect(accountKey({ contactEmail: "Jo@Gmail.com" })).toEqual({ ok: true, account: "jo@gmail.com" });
    expect(accountKey({ contactEmail: "jo@outlook.com" })).toEqual({ ok: true, account: "jo@outlook.com" });
    expect(accountKey({ contactEmail: "x@mailinator.com" })).toEqual({ ok: true, account: "x@mailinator.com" });
    expect(accountKey({ contactEmail: "jo@globex.com" })).toEqual({ ok: true, account: "globex.com" });
  });

  it("refuses what is no domain", () => {
    for (const bad of ["localhost", "a b.com", "", "..", "-x-.com", "http://"]) expect(normalizeDomain(bad)).toBeNull();
    expect(accountKey({ domain: "not a domain", contactEmail: "a@b.com" })).toMatchObject({ ok: false, field: "domain" });
    expect(accountKey({ contactEmail: "nobody" })).toMatchObject({ ok: false, field: "contactEmail" });
  });
});

describe("conflict rule", () => {
  const base = { partnerId: "p1", openDeals: [], wonDealId: null, customerConversion: false };
  it("own open deal: duplicate; another's: registered_by_other; won or customer: existing_customer; else submitted", () => {
    expect(decideRegistration(base)).toEqual({ kind: "submitted" });
    expect(decideRegistration({ ...base, openDeals: [{ id: "d1", partnerId: "p1" }] })).toEqual({ kind: "duplicate" });
    expect(decideRegistration({ ...base, openDeals: [{ id: "d2", partnerId: "p2" }] })).toEqual({ kind: "conflict", conflict: "registered_by_other", withDealId: "d2" });
    expect(decideRegistration({ ...base, wonDealId: "d3" })).toEqual({ kind: "conflict", conflict: "existing_customer", withDealId: "d3" });
    expect(decideRegistration({ ...base, customerConversion: true })).toEqual({ kind: "conflict", conflict: "existing_customer", withDealId: null });
  });

  it("for any facts: submitted exactly when nothing holds the account", () => {
    const facts = fc.record({
      openDeals: fc.array(fc.record({ id: fc.string(), partnerId: fc.constantFrom("p1", "p2", "p3") }), { maxLength: 3 }),
      wonDealId: fc.option(fc.constant("w")), customerConversion: fc.boolean(),
    });
    fc.assert(fc.property(facts, (f) => {
      const d = decideRegistration({ partnerId: "p1", ...f });
      const free = f.openDeals.length === 0 && !f.wonDealId && !f.customerConversion;
      expect(d.kind === "submitted").toBe(free);
      if (f.openDeals.some((o) => o.partnerId === "p1")) expect(d.kind).toBe("duplicate");
    }));
  });
});

describe("transitions and pipeline", () => {
  it("only the allowed transitions", () => {
    const allowed = DEAL_STATUSES.flatMap((s) => (["approve", "reject", "won", "lost"] as const).filter((a) => canTransition(s, a)).map((a) => `${s}:${a}`));
    expect(allowed.sort()).toEqual(["approved:lost", "approved:reject", "approved:won", "conflict:approve", "conflict:reject", "submitted:approve", "submitted:reject"]);
  });
  it("win rate and median", () => {
    const day = 86_400_000;
    const p = summarizePipeline({ registered: [], closed: [
      { status: "won", wonAmount: 5, createdAt: 0, closedAt: 2 * day }, { status: "lost", wonAmount: null, createdAt: 0, closedAt: 4 * day },
      { status: "lost", wonAmount: null, createdAt: 0, closedAt: 9 * day },
    ] });
    expect(p).toMatchObject({ winRate: "0.3333", medianDaysToClose: 4, wonValue: 5 });
  });
});
