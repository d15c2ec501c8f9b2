import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addressPrefix, clientAddressKey, decide, MemoryRateLimiter, type RateRule } from "../../src/domain/rateLimit";

const WINDOW: RateRule = { kind: "window", limit: 3, windowMs: 60_000 };
const BUCKET: RateRule = { kind: "bucket", perSecond: 10, burst: 50 };

describe("rate limit decisions", () => {
  it("a window allows its limit, refuses for the rest of it with the seconds left, and starts afresh after", () => {
    let clock = 1_000_000;
    const l = new MemoryRateLimiter(WINDOW, () => clock);
    expect([1, 2, 3].map(() => l.take("k").ok)).toEqual([true, true, true]);
    expect(l.take("k")).toEqual({ ok: false, retryAfterSeconds: 60 });
    clock += 59_001;
    expect(l.take("k")).toEqual({ ok: false, retryAfterSeconds: 1 });
    expect(l.take("other").ok).toBe(true);
    clock += 999;
    expect(l.take("k").ok).toBe(true);
  });

  it("cost 0 asks without counting", () => {
    const l = new MemoryRateLimiter(WINDOW, () => 0);
    for (let i = 0; i < 10; i++) expect(l.take("k", 0).ok).toBe(true);
    l.take("k"); l.take("k"); l.take("k");
    expect(l.take("k", 0).ok).toBe(false);
  });

  it("a bucket never lets through more than burst + rate × elapsed, whatever the timing", () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 500 }), { minLength: 1, maxLength: 300 }), (gaps) => {
      let now = 0;
      let state;
      let passed = 0;
      for (const gap of gaps) {
        now += gap;
        const d = decide(BUCKET, state, now);
        state = d.state;
        if (d.ok) passed++;
        else expect(d.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      }
      expect(passed).toBeLessThanOrEqual(BUCKET.burst + Math.floor((now * BUCKET.perSecond) / 1000));
    }));
  });

  it("forgets idle keys once many pile up, so distinct keys do not grow memory without end", () => {
    let clock = 0;
    const l = new MemoryRateLimiter(WINDOW, () => clock, 100);
    for (let i = 0; i < 100; i++) l.take(`a${i}`);
    clock += 60_000;
    for (let i = 0; i < 10; i++) l.take(`b${i}`);
    expect(l.size).toBeLessThanOrEqual(10);
  });
});

describe("client address keys", () => {
  it("counts IPv6 by /64 and IPv4-mapped addresses as IPv4; never contains the address", () => {
    expect(addressPrefix("2001:db8:1:2::5")).toBe("2001:db8:1:2::/64");
    expect(addressPrefix("2001:0db8:0001:0002:ffff:0:0:9")).toBe("2001:db8:1:2::/64");
    expect(addressPrefix("[2001:db8::1]")).toBe("2001:db8:0:0::/64");
    expect(addressPrefix("fe80::1%eth0")).toBe("fe80:0:0:0::/64");
    expect(addressPrefix("::ffff:198.51.100.7")).toBe("198.51.100.7");
    expect(addressPrefix("198.51.100.7")).toBe("198.51.100.7");
    const key = clientAddressKey("secret-0123456789", "198.51.100.7");
    expect(key).not.toContain("198");
    expect(key).toBe(clientAddressKey("secret-0123456789", "::ffff:198.51.100.7"));
    expect(key).not.toBe(clientAddressKey("another-secret-012345", "198.51.100.7"));
  });
});
