import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addMonthsUtc, withinDuration } from "../../src/domain/commission";
import { CLICK_FLOOD_THRESHOLD, emailHash, fraudFlags } from "../../src/domain/fraud";

const at = (iso: string) => Date.parse(iso);

describe("recurring commission durations", () => {
  it("adds calendar months, clamping to the month's end", () => {
    expect(new Date(addMonthsUtc(at("2026-01-31T12:00:00Z"), 1)).toISOString()).toBe("2026-02-28T12:00:00.000Z");
    expect(new Date(addMonthsUtc(at("2028-01-31T00:00:00Z"), 1)).toISOString()).toBe("2028-02-29T00:00:00.000Z");
    expect(new Date(addMonthsUtc(at("2026-11-15T08:30:00Z"), 3)).toISOString()).toBe("2027-02-15T08:30:00.000Z");
    expect(new Date(addMonthsUtc(at("2026-03-31T00:00:00Z"), 12)).toISOString()).toBe("2027-03-31T00:00:00.000Z");
  });

  it("null is lifetime, 0 the first conversion only, N months after the first", () => {
    const first = at("2026-01-10T00:00:00Z");
    expect(withinDuration(null, first, at("2036-01-01T00:00:00Z"))).toBe(true);
    expect(withinDuration(0, null, first)).toBe(true); // no earlier conversion: this is the first
    expect(withinDuration(0, first, first)).toBe(true);
    expect(withinDuration(0, first, first + 1)).toBe(false);
    expect(withinDuration(3, first, at("2026-04-09T23:59:59Z"))).toBe(true);
    expect(withinDuration(3, first, at("2026-04-10T00:00:00Z"))).toBe(false);
  });

  it("PROPERTY: a duration pays a prefix of a customer's conversions, and a longer one pays at least as many", () => {
    fc.assert(fc.property(
      fc.integer({ min: 0, max: 36 }), fc.integer({ min: 0, max: 36 }),
      fc.array(fc.integer({ min: 0, max: 5 * 365 * 86_400_000 }), { minLength: 1, maxLength: 30 }),
      (a, b, offsets) => {
        const first = at("2026-01-01T00:00:00Z");
        const times = offsets.map((o) => first + o).sort((x, y) => x - y);
        const paid = (n: number) => times.map((t) => withinDuration(n, first, t));
        for (const n of [a, b]) {
          const p = paid(n);
          expect(p.indexOf(false) === -1 || p.slice(p.indexOf(false)).every((x) => !x)).toBe(true);
        }
        const [short, long] = a <= b ? [a, b] : [b, a];
        expect(paid(long).filter(Boolean).length).toBeGreaterThanOrEqual(paid(short).filter(Boolean).length);
      },
    ));
  });
});

describe("fraud flags", () => {
  const base = { customerEmailHash: null, partnerEmailHash: null, clickTs: 0, occurredAt: 60_000, minConversionSeconds: 10, visitorClicksThatDay: 1 };

  it("hashes e-mail keyed, ignoring case and spaces", () => {
    expect(emailHash("s1", " Anna@Example.COM ")).toBe(emailHash("s1", "anna@example.com"));
    expect(emailHash("s2", "anna@example.com")).not.toBe(emailHash("s1", "anna@example.com"));
  });

  it("flags each signal on its own and none for an ordinary sale", () => {
    expect(fraudFlags(base)).toEqual([]);
    expect(fraudFlags({ ...base, customerEmailHash: "h", partnerEmailHash: "h" })).toEqual(["self_referral"]);
    expect(fraudFlags({ ...base, customerEmailHash: "h", partnerEmailHash: "other" })).toEqual([]);
    expect(fraudFlags({ ...base, occurredAt: 9_999 })).toEqual(["click_too_fast"]);
    expect(fraudFlags({ ...base, occurredAt: 10_000 })).toEqual([]);
    expect(fraudFlags({ ...base, occurredAt: -1 })).toEqual(["click_too_fast"]); // a click after its conversion
    expect(fraudFlags({ ...base, clickTs: null, occurredAt: 0 })).toEqual([]);
    expect(fraudFlags({ ...base, minConversionSeconds: 0, occurredAt: -1 })).toEqual([]); // 0: off
    expect(fraudFlags({ ...base, visitorClicksThatDay: CLICK_FLOOD_THRESHOLD })).toEqual([]);
    expect(fraudFlags({ ...base, visitorClicksThatDay: CLICK_FLOOD_THRESHOLD + 1 })).toEqual(["click_flood"]);
    expect(fraudFlags({ ...base, visitorClicksThatDay: null })).toEqual([]);
  });
});
