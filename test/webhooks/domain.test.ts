import fc from "fast-check";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { RETRY_DELAYS_MS, matchesFilter, newSigningSecret, nextAttemptAt, renderPostbackUrl, signatureHeader } from "../../src/domain/webhooks";
import { checkResolved, checkTargetUrl, isPublicAddress } from "../../src/domain/webhookTargets";

describe("webhooks domain", () => {
  it("signs exactly as standardwebhooks does, for any id, time and body", async () => {
    await fc.assert(fc.asyncProperty(fc.string({ minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 4_000_000_000 }), fc.string(), async (id, ts, body) => {
      const secret = newSigningSecret();
      expect(await signatureHeader([secret], id, ts, body)).toBe(new Webhook(secret).sign(id, new Date(ts * 1000), body));
    }), { numRuns: 50 });
  });

  it("jitters each retry within ±10% and stops after the seventh", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 7 }), fc.double({ min: 0, max: 0.999999, noNaN: true }), (attempt, r) => {
      const delay = nextAttemptAt(attempt, 0, r)!;
      const base = RETRY_DELAYS_MS[attempt - 1]!;
      return delay >= base * 0.9 - 1 && delay <= base * 1.1 + 1;
    }));
    expect(nextAttemptAt(8, 0, 0.5)).toBeNull();
  });

  it("filters with * or names", () => {
    expect(matchesFilter(["*"], "payout.paid")).toBe(true);
    expect(matchesFilter(["conversion.created"], "payout.paid")).toBe(false);
  });

  it("renders postback macros URL-encoded and drops unknown or missing ones", () => {
    expect(renderPostbackUrl("https://t.example/p?c={click_id}&s={sub3}&u={what}&a={amount}", { click_id: "a b&c", amount: "1.50" }))
      .toBe("https://t.example/p?c=a%20b%26c&s=&u=&a=1.50");
  });

  it("tells public addresses from every kind of inside one", () => {
    for (const a of ["8.8.8.8", "93.184.216.34", "2606:4700::1111", "::ffff:8.8.8.8"]) expect(isPublicAddress(a)).toBe(true);
    for (const a of ["127.0.0.1", "::1", "10.0.0.1", "172.16.0.1", "192.168.0.1", "169.254.169.254", "fe80::1", "fc00::1", "::ffff:127.0.0.1", "0.0.0.0", "::", "224.0.0.1", "ff02::1", "100.64.0.1", "not-an-ip"]) {
      expect(isPublicAddress(a), a).toBe(false);
    }
    expect(checkResolved("x.example", ["8.8.8.8", "10.0.0.1"], false).ok).toBe(false);
    expect(checkResolved("x.example", [], false).ok).toBe(false);
    expect(checkTargetUrl("http://127.0.0.1:9/x", true).ok).toBe(true);
    expect(checkTargetUrl("https://[::ffff:a00:1]/", false).ok).toBe(false);
  });
});
