import { describe, expect, it } from "vitest";
import { decideAttribution, type AttributionFacts, type ClickCandidate } from "../../src/domain/attribution";
import type { ClickIdFields } from "../../src/domain/clickId";

const DAY = 86_400_000;
const occurredAt = Date.UTC(2026, 10, 22);
const base: AttributionFacts = { programNum: 1, model: "last_click", cookieDays: 30, occurredAt };
const decoded = (over: Partial<ClickIdFields> = {}): ClickIdFields => ({ programNum: 1, linkNum: 1, partnerNum: 1, ts: occurredAt - DAY, bot: false, ...over });
const candidate = (over: Partial<ClickCandidate> = {}): ClickCandidate => ({ clickId: "c1", clickTs: occurredAt - DAY, linkId: "lnk_1", partnerId: "ptn_1", ...over });

describe("attribution", () => {
  it("attributes a valid click inside the window", () => {
    expect(decideAttribution({ ...base, click: { decoded: decoded(), candidate: candidate() } })).toEqual({
      attributed: true, via: "click", partnerId: "ptn_1", linkId: "lnk_1", clickId: "c1", clickTs: occurredAt - DAY,
    });
  });

  it("measures the window against occurredAt, inclusive at cookieDays, with 5 minutes of clock drift", () => {
    const at = (ts: number) => decideAttribution({ ...base, click: { decoded: decoded({ ts }), candidate: candidate({ clickTs: ts }) } });
    expect(at(occurredAt - 30 * DAY).attributed).toBe(true);
    expect(at(occurredAt - 30 * DAY - 1)).toEqual({ attributed: false, reason: "click_expired" });
    expect(at(occurredAt + 5 * 60_000).attributed).toBe(true);
    expect(at(occurredAt + 5 * 60_000 + 1)).toEqual({ attributed: false, reason: "click_expired" });
  });

  it("names why a click does not attribute", () => {
    expect(decideAttribution({ ...base, click: { decoded: null, candidate: null } })).toEqual({ attributed: false, reason: "click_unknown" });
    expect(decideAttribution({ ...base, click: { decoded: decoded({ programNum: 2 }), candidate: null } })).toEqual({ attributed: false, reason: "click_other_program" });
    expect(decideAttribution({ ...base, click: { decoded: decoded({ bot: true }), candidate: candidate() } })).toEqual({ attributed: false, reason: "bot_click" });
    expect(decideAttribution({ ...base, click: { decoded: decoded(), candidate: null } })).toEqual({ attributed: false, reason: "click_unknown" });
    expect(decideAttribution(base)).toEqual({ attributed: false, reason: "no_identifier" });
  });

  it("tries click, customer, coupon in order; the reason is the first identifier's", () => {
    const customer = { firstPartnerId: "ptn_first", lastPartnerId: "ptn_last", earliestClickInWindow: null };
    expect(decideAttribution({ ...base, click: { decoded: null, candidate: null }, customer, coupon: { partnerId: "ptn_c" } })).toMatchObject({ via: "customer", partnerId: "ptn_last" });
    expect(decideAttribution({ ...base, click: { decoded: null, candidate: null }, coupon: { partnerId: "ptn_c" } })).toMatchObject({ via: "coupon", partnerId: "ptn_c", linkId: null, clickId: null });
    expect(decideAttribution({ ...base, click: { decoded: decoded(), candidate: candidate() }, coupon: { partnerId: "ptn_c" } })).toMatchObject({ via: "click", partnerId: "ptn_1" });
    expect(decideAttribution({ ...base, customer: { firstPartnerId: null, lastPartnerId: null, earliestClickInWindow: null }, coupon: { partnerId: null } })).toEqual({ attributed: false, reason: "customer_unknown" });
    expect(decideAttribution({ ...base, coupon: { partnerId: null } })).toEqual({ attributed: false, reason: "coupon_unknown" });
  });

  it("first_click lets a returning customer's earlier click win; last_click keeps the presented one", () => {
    const earlier = candidate({ clickId: "c0", clickTs: occurredAt - 10 * DAY, partnerId: "ptn_0", linkId: "lnk_0" });
    const customer = { firstPartnerId: "ptn_0", lastPartnerId: "ptn_0", earliestClickInWindow: earlier };
    const facts = { click: { decoded: decoded(), candidate: candidate() }, customer };
    expect(decideAttribution({ ...base, model: "first_click", ...facts })).toMatchObject({ via: "click", partnerId: "ptn_0", clickId: "c0" });
    expect(decideAttribution({ ...base, model: "last_click", ...facts })).toMatchObject({ via: "click", partnerId: "ptn_1", clickId: "c1" });
    expect(decideAttribution({ ...base, model: "first_click", customer })).toMatchObject({ via: "customer", partnerId: "ptn_0" });
  });
});
