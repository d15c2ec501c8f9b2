import { describe, expect, it } from "vitest";
import { explain, type ExplainInput } from "../../src/domain/explain";

const T0 = Date.UTC(2026, 10, 22, 10);
const HOUR = 3_600_000;

const input = (over: { conversion?: Partial<ExplainInput["conversion"]> } & Partial<Omit<ExplainInput, "conversion">> = {}): ExplainInput => ({
  cookieDays: 30,
  tier: { id: "tier_entry", name: "Entry" },
  rule: { id: "rule_1", type: "percent", value: 200_000, tierId: null },
  commission: { originalAmount: 2000, amount: 2000, status: "pending" },
  ...over,
  conversion: {
    status: "attributed", reason: null, via: "click", model: "last_click", occurredAt: T0, clickTs: T0 - 3 * HOUR, clickId: "clk_1", linkId: "lnk_1",
    partnerId: "ptn_1", amount: 10_000, refunded: 0, currency: "USD", coupon: null, customerId: null, ...over.conversion,
  },
});

describe("explain", () => {
  it("explains a click attribution with window, model, tier, rule and arithmetic", () => {
    const e = explain(input());
    expect(e.attribution).toContain("clk_1");
    expect(e.attribution).toContain("lnk_1");
    expect(e.attribution).toContain("3 h before");
    expect(e.attribution).toContain(new Date(T0).toISOString());
    expect(e.attribution).toContain("30-day window, last_click");
    expect(e.window).toEqual({ cookieDays: 30, model: "last_click" });
    expect(e.tier).toEqual({ id: "tier_entry", name: "Entry" });
    expect(e.rule).toEqual({ id: "rule_1", type: "percent", value: "20", tierSpecific: false });
    expect(e.arithmetic).toContain("20% of 100.00 USD = 20.00 USD");
    expect(e.commission).toBeNull();
  });

  it("shows fractional percents and tier-specific rules", () => {
    const e = explain(input({ rule: { id: "r", type: "percent", value: 125_000, tierId: "tier_gold" }, commission: { originalAmount: 1250, amount: 1250, status: "pending" } }));
    expect(e.rule).toMatchObject({ value: "12.5", tierSpecific: true });
    expect(e.arithmetic).toContain("12.5% of 100.00 USD = 12.50 USD");
  });

  it("explains a flat rule", () => {
    const e = explain(input({ rule: { id: "r", type: "flat", value: 500, tierId: null }, commission: { originalAmount: 500, amount: 500, status: "pending" } }));
    expect(e.rule).toMatchObject({ type: "flat", value: "5.00" });
    expect(e.arithmetic).toContain("5.00 USD");
  });

  it("explains customer and coupon attributions", () => {
    const customer = explain(input({ conversion: { via: "customer", customerId: "cus_42", clickId: null, linkId: null, clickTs: null, model: "first_click" } }));
    expect(customer.attribution).toContain("customer cus_42");
    expect(customer.attribution).toContain("ptn_1");
    expect(customer.attribution).toContain("first_click");
    const coupon = explain(input({ conversion: { via: "coupon", coupon: "ANNA10", clickId: null, linkId: null, clickTs: null } }));
    expect(coupon.attribution).toContain("coupon ANNA10");
    expect(coupon.attribution).toContain("ptn_1");
  });

  it.each([
    ["no_identifier", /no click id, customer id or coupon/],
    ["click_unknown", /not issued by this server/],
    ["click_expired", /outside the cookie window/],
    ["click_other_program", /another program/],
    ["bot_click", /bot/],
    ["customer_unknown", /no earlier attributed conversion/],
    ["coupon_unknown", /no partner of this program/],
  ])("explains why it was not attributed: %s", (reason, text) => {
    const e = explain(input({ conversion: { status: "unattributed", reason, via: null, partnerId: null, clickId: null, linkId: null, clickTs: null }, tier: null, rule: null, commission: null }));
    expect(e.attribution).toMatch(/^Not attributed: /);
    expect(e.attribution).toMatch(text);
    expect(e.arithmetic).toBeNull();
    expect(e.commission).toMatch(/not attributed/);
    expect(e.tier).toBeNull();
    expect(e.rule).toBeNull();
  });

  it("says when no rule matched", () => {
    const e = explain(input({ rule: null, commission: null }));
    expect(e.arithmetic).toBeNull();
    expect(e.commission).toMatch(/no rule matched/);
  });

  it("shows the refund arithmetic: original × remaining ÷ amount = current", () => {
    // 20% of 99.99 = 20.00; after refunding 33.33: round(2000 × 6666 ÷ 9999) = 1333
    const e = explain(input({ conversion: { amount: 9999, refunded: 3333 }, commission: { originalAmount: 2000, amount: 1333, status: "pending" } }));
    expect(e.arithmetic).toContain("20% of 99.99 USD = 20.00 USD");
    expect(e.arithmetic).toContain("after refunds of 33.33 USD: 20.00 × 66.66 ÷ 99.99 = 13.33 USD");
  });

  it("uses the currency's exponent in every amount", () => {
    const jpy = explain(input({ conversion: { amount: 1500, currency: "JPY" }, commission: { originalAmount: 300, amount: 300, status: "pending" } }));
    expect(jpy.arithmetic).toContain("20% of 1500 JPY = 300 JPY");
    const kwd = explain(input({ conversion: { amount: 12_345, refunded: 2_345, currency: "KWD" }, commission: { originalAmount: 2469, amount: 2000, status: "pending" } }));
    expect(kwd.arithmetic).toContain("20% of 12.345 KWD = 2.469 KWD");
    expect(kwd.arithmetic).toContain("after refunds of 2.345 KWD: 2.469 × 10.000 ÷ 12.345 = 2.000 KWD");
  });
});
