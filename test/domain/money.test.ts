import { describe, it, expect } from "vitest";
import fc from "fast-check";
import {
  applyPercent,
  currencyExponent,
  formatMoney,
  formatPercent,
  isCurrency,
  parseMoney,
  parsePercent,
  prorate,
  roundDiv,
} from "../../src/domain/money";

const minorOf = (input: unknown, currency: string): number => {
  const r = parseMoney(input, currency);
  if (!r.ok) throw new Error(`unexpected rejection of ${String(input)}: ${r.message}`);
  return r.minor;
};

describe("currencies", () => {
  it.each([
    ["USD", 2],
    ["EUR", 2],
    ["GBP", 2],
    ["JPY", 0],
    ["KRW", 0],
    ["ISK", 0],
    ["KWD", 3],
    ["BHD", 3],
    ["TND", 3],
    ["CLF", 4],
    ["UYW", 4],
  ])("%s has exponent %i", (code, exp) => {
    expect(currencyExponent(code)).toBe(exp);
    expect(isCurrency(code)).toBe(true);
  });

  it.each(["usd", "Usd", "XXX", "", "US", "USDD", "XAU", "constructor", "__proto__"])(
    "%j is not a currency",
    (code) => {
      expect(currencyExponent(code)).toBeUndefined();
      expect(isCurrency(code)).toBe(false);
    },
  );
});

describe("parseMoney", () => {
  it.each<[unknown, string, number]>([
    ["49.99", "USD", 4999],
    [49.99, "USD", 4999],
    ["49.9", "USD", 4990],
    ["49", "USD", 4900],
    [0.1, "USD", 10],
    ["0.01", "USD", 1],
    ["-5.00", "USD", -500],
    [-5, "USD", -500],
    ["1500", "JPY", 1500],
    [1500, "JPY", 1500],
    ["0.005", "KWD", 5],
    ["1.5", "KWD", 1500],
    ["1.2345", "CLF", 12345],
    ["007.50", "USD", 750],
    ["49.990", "USD", 4999],
    ["1500.00", "JPY", 1500],
    ["-0", "USD", 0],
    [-0, "USD", 0],
    ["1000000000.00", "USD", 100_000_000_000],
    ["-1000000000", "USD", -100_000_000_000],
    ["1000000000", "JPY", 1_000_000_000],
    ["1000000000.0000", "CLF", 10_000_000_000_000],
  ])("%j %s → %i", (input, currency, minor) => {
    const r = parseMoney(input, currency);
    expect(r).toEqual({ ok: true, minor });
    if (r.ok) expect(Object.is(r.minor, -0)).toBe(false);
  });

  it.each<[unknown, string, RegExp]>([
    ["49.999", "USD", /at most 2 decimals/],
    [49.999, "USD", /at most 2 decimals/],
    ["1.5", "JPY", /no decimals/],
    ["0.0001", "KWD", /at most 3 decimals/],
    ["49.99", "XXX", /unknown currency/],
    ["49.99", "usd", /unknown currency/],
    ["", "USD", /empty/],
    ["   ", "USD", /plain decimal/],
    [" 1", "USD", /plain decimal/],
    ["1e3", "USD", /plain decimal/],
    [1e21, "USD", /decimal string/],
    [1e-7, "USD", /decimal string/],
    ["NaN", "USD", /plain decimal/],
    [NaN, "USD", /finite/],
    ["Infinity", "USD", /plain decimal/],
    [Infinity, "USD", /finite/],
    ["0x10", "USD", /plain decimal/],
    ["1,000", "USD", /plain decimal/],
    ["1_000", "USD", /plain decimal/],
    ["+-1", "USD", /plain decimal/],
    ["+1", "USD", /plain decimal/],
    ["--1", "USD", /plain decimal/],
    [".5", "USD", /plain decimal/],
    ["5.", "USD", /plain decimal/],
    ["١٢", "USD", /plain decimal/],
    ["90071992547409.91", "USD", /must not exceed 1000000000 USD/],
    ["1000000000.01", "USD", /must not exceed/],
    ["-1000000000.01", "USD", /must not exceed/],
    ["1000000001", "JPY", /must not exceed/],
    ["1000000000.001", "KWD", /must not exceed/],
    ["1000000000.0001", "CLF", /must not exceed/],
    [1000000000.01, "USD", /must not exceed/],
    ["9".repeat(65), "JPY", /too long/],
    [null, "USD", /decimal string or a number/],
    [undefined, "USD", /decimal string or a number/],
    [{}, "USD", /decimal string or a number/],
  ])("rejects %j %s", (input, currency, message) => {
    const r = parseMoney(input, currency);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(message);
  });

  it("rejects a bigint", () => {
    expect(parseMoney(10n, "USD")).toEqual({
      ok: false,
      message: "must be a decimal string or a number",
    });
  });
});

describe("formatMoney", () => {
  it.each<[number, string, string]>([
    [4990, "USD", "49.90"],
    [4999, "USD", "49.99"],
    [1, "USD", "0.01"],
    [0, "USD", "0.00"],
    [-500, "USD", "-5.00"],
    [-1, "USD", "-0.01"],
    [1500, "JPY", "1500"],
    [-1500, "JPY", "-1500"],
    [0, "JPY", "0"],
    [5, "KWD", "0.005"],
    [12345, "CLF", "1.2345"],
    [Number.MAX_SAFE_INTEGER, "USD", "90071992547409.91"],
  ])("%i %s → %s", (minor, currency, text) => {
    expect(formatMoney(minor, currency)).toBe(text);
  });

  it.each<[bigint, string, string]>([
    [18_014_398_509_481_983n, "USD", "180143985094819.83"],
    [-18_014_398_509_481_983n, "USD", "-180143985094819.83"],
    [-1n, "USD", "-0.01"],
    [0n, "KWD", "0.000"],
    [9_223_372_036_854_775_807n, "JPY", "9223372036854775807"],
  ])("formats sums beyond 2^53 exactly: %s %s → %s", (minor, currency, text) => {
    expect(formatMoney(minor, currency)).toBe(text);
  });

  it("bigint and number agree on safe integers", () => {
    fc.assert(fc.property(fc.maxSafeInteger(), fc.constantFrom("USD", "JPY", "CLF"), (n, currency) => {
      expect(formatMoney(BigInt(n), currency)).toBe(formatMoney(n, currency));
    }));
  });

  it("throws on programming errors", () => {
    expect(() => formatMoney(1, "XXX")).toThrow(RangeError);
    expect(() => formatMoney(1.5, "USD")).toThrow(RangeError);
    expect(() => formatMoney(Number.MAX_SAFE_INTEGER + 1, "USD")).toThrow(RangeError);
  });
});

describe("percent", () => {
  it.each<[unknown, number]>([
    ["12.5", 125000],
    ["20", 200000],
    [20, 200000],
    [12.5, 125000],
    ["0", 0],
    ["100", 1000000],
    ["100.0000", 1000000],
    ["0.0001", 1],
    ["33.3333", 333333],
  ])("parses %j → %i", (input, scaled) => {
    expect(parsePercent(input)).toEqual({ ok: true, scaled });
  });

  it.each<unknown>(["100.0001", "101", "-1", "-0.0001", "0.00001", "", "abc", "5%", null, NaN])(
    "rejects %j",
    (input) => {
      expect(parsePercent(input).ok).toBe(false);
    },
  );

  it.each<[number, string]>([
    [125000, "12.5"],
    [200000, "20"],
    [1, "0.0001"],
    [0, "0"],
    [1000000, "100"],
    [333333, "33.3333"],
    [100, "0.01"],
  ])("formats %i → %s", (scaled, text) => {
    expect(formatPercent(scaled)).toBe(text);
  });

  it("round-trips every scaled percent", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), (scaled) => {
        expect(parsePercent(formatPercent(scaled))).toEqual({ ok: true, scaled });
      }),
      { numRuns: 1000 },
    );
  });
});

describe("rounding half away from zero", () => {
  it.each<[bigint, bigint, bigint]>([
    [5n, 2n, 3n],
    [-5n, 2n, -3n],
    [5n, -2n, -3n],
    [-5n, -2n, 3n],
    [4n, 3n, 1n],
    [-4n, 3n, -1n],
    [7n, 3n, 2n],
    [-7n, 3n, -2n],
    [6n, 4n, 2n],
    [0n, 7n, 0n],
    [10n ** 30n + 1n, 2n, 5n * 10n ** 29n + 1n],
  ])("roundDiv(%s, %s) = %s", (n, d, q) => {
    expect(roundDiv(n, d)).toBe(q);
  });

  it("roundDiv by zero throws", () => {
    expect(() => roundDiv(1n, 0n)).toThrow(RangeError);
  });

  it("roundDiv matches exact rational rounding", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }),
        fc.bigInt({ min: -(10n ** 6n), max: 10n ** 6n }).filter((d) => d !== 0n),
        (n, d) => {
          const q = roundDiv(n, d);
          const abs = (x: bigint) => (x < 0n ? -x : x);
          // |n/d - q| <= 1/2, and on a tie |q| is the larger neighbour.
          const err = abs(2n * (n - q * d));
          expect(err <= abs(d)).toBe(true);
          if (err === abs(d)) expect(abs(q * d) > abs(n)).toBe(true);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it.each<[number, number, number]>([
    [4999, 200000, 1000], // 20% of 49.99 = 9.998
    [10000, 200000, 2000],
    [1, 500000, 1], // 0.5 → 1
    [-1, 500000, -1], // -0.5 → -1
    [3, 500000, 2], // 1.5 → 2
    [-3, 500000, -2],
    [1, 499999, 0],
    [-1, 499999, 0],
    [12345, 125000, 1543], // 1543.125
    [4999, 0, 0],
    [4999, 1000000, 4999],
    [Number.MAX_SAFE_INTEGER, 1000000, Number.MAX_SAFE_INTEGER],
  ])("applyPercent(%i, %i) = %i", (minor, scaled, out) => {
    expect(applyPercent(minor, scaled)).toBe(out);
  });

  it.each<[number, number, number, number]>([
    [1000, 50, 100, 500],
    [1000, 0, 100, 0],
    [1000, 100, 100, 1000],
    [999, 1, 2, 500], // 499.5 → 500
    [-999, 1, 2, -500],
    [1, 1, 3, 0],
    [2, 1, 3, 1],
    [2000, 3999, 4999, 1600], // 1599.92
    [1000, 10, 0, 0],
  ])("prorate(%i, %i, %i) = %i", (value, num, den, out) => {
    expect(prorate(value, num, den)).toBe(out);
  });
});

describe("properties", () => {
  const currencies = ["USD", "JPY", "KWD", "CLF", "EUR", "BHD"] as const;
  // Every amount an input may carry: at most 10^9 major units, i.e. 10^13 minor units (CLF).
  const capMinor = (currency: string) => 1e9 * 10 ** (currencyExponent(currency) ?? 0);
  const withinCap = fc.constantFrom(...currencies).chain((currency) =>
    fc.integer({ min: -capMinor(currency), max: capMinor(currency) }).map((minor) => [currency, minor] as const));

  // Canonical decimals: no leading zeros, exactly `exp` decimals, no "-0".
  const canonicalDecimal = fc.constantFrom(...currencies).chain((currency) => {
    const exp = currencyExponent(currency) ?? 0;
    const maxWhole = 1e9 - 1;
    return fc
      .tuple(
        fc.boolean(),
        fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: maxWhole })),
        fc.array(fc.constantFrom(..."0123456789"), { minLength: exp, maxLength: exp }),
      )
      .map(([negative, whole, frac]) => {
        const body = exp === 0 ? String(whole) : `${whole}.${frac.join("")}`;
        const zero = /^[0.]+$/.test(body);
        return { currency, text: negative && !zero ? `-${body}` : body };
      });
  });

  it("formatMoney ∘ parseMoney is the identity on canonical decimal strings", () => {
    fc.assert(
      fc.property(canonicalDecimal, ({ currency, text }) => {
        expect(formatMoney(minorOf(text, currency), currency)).toBe(text);
      }),
      { numRuns: 2000 },
    );
  });

  it("parseMoney ∘ formatMoney is the identity on amounts within the cap", () => {
    fc.assert(
      fc.property(withinCap, ([currency, minor]) => {
        expect(parseMoney(formatMoney(minor, currency), currency)).toEqual({ ok: true, minor });
      }),
      { numRuns: 2000 },
    );
  });

  it("a JS number is read as the decimal it prints as", () => {
    // 15 significant digits always survive a trip through a double (and amounts within the cap
    // have at most 14).
    fc.assert(
      fc.property(withinCap, ([currency, minor]) => {
        const n = Number(formatMoney(minor, currency));
        expect(parseMoney(n, currency)).toEqual({ ok: true, minor });
      }),
      { numRuns: 2000 },
    );
  });

  it("applyPercent stays within half a minor unit of the exact value", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -(10 ** 12), max: 10 ** 12 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        (minor, scaled) => {
          const out = BigInt(applyPercent(minor, scaled));
          const err = out * 1_000_000n - BigInt(minor) * BigInt(scaled);
          expect((err < 0n ? -err : err) <= 500_000n).toBe(true);
          expect(applyPercent(-minor, scaled)).toBe(-applyPercent(minor, scaled) || 0);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
