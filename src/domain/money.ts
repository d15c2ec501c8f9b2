// Money is integer minor units everywhere; decimals exist only at the API edge. Parsing and
// formatting work on digit strings and BigInt so that no float ever touches an amount.

// ISO 4217 list A, grouped by minor-unit exponent. Codes still in their withdrawal transition
// (ANG, BGN, SLL, ZWL) stay so that stored programs keep working; funds and metals without a
// minor unit (XAU, XDR, …) are left out because they cannot be expressed in minor units.
const BY_EXPONENT: readonly (readonly [number, string])[] = [
  [0, "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"],
  [
    2,
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP " +
      "BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR " +
      "FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW " +
      "KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN " +
      "NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD " +
      "SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU " +
      "UZS VED VES WST XCD XCG YER ZAR ZMW ZWG ZWL",
  ],
  [3, "BHD IQD JOD KWD LYD OMR TND"],
  [4, "CLF UYW"],
];

// A Map, not an object literal, so that "constructor" or "__proto__" are not currencies.
const EXPONENTS: ReadonlyMap<string, number> = new Map(
  BY_EXPONENT.flatMap(([exp, codes]) => codes.split(" ").map((code) => [code, exp] as const)),
);

export function currencyExponent(code: string): number | undefined {
  return EXPONENTS.get(code);
}

export function isCurrency(code: string): boolean {
  return EXPONENTS.has(code);
}

export type MoneyParse = { ok: true; minor: number } | { ok: false; message: string };

type DecimalParse = { ok: true; scaled: bigint } | { ok: false; message: string };

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;
// Far above any safe integer with any exponent; only stops huge strings reaching BigInt.
const MAX_DECIMAL_LENGTH = 64;
/**
 * The largest amount any input may carry, in major units of any currency (contract: "Limits on
 * every input"). With it, one amount is at most 10^13 minor units (four-decimal currencies), so
 * sums of millions of them still fit 64-bit integers and a handful never nears 2^53.
 */
export const MAX_MAJOR_UNITS = 1_000_000_000n;

// Shared by money and percent: the decimal scaled by 10^exp as an exact BigInt.
function parseScaled(input: unknown, exp: number, unit: string): DecimalParse {
  let text: string;
  if (typeof input === "number") {
    if (!Number.isFinite(input)) return { ok: false, message: "must be a finite number" };
    // String() gives the shortest decimal that round-trips, i.e. what the sender meant by 49.99.
    text = String(input);
    if (text.includes("e")) {
      return { ok: false, message: "number is too large or too small; send a decimal string" };
    }
  } else if (typeof input === "string") {
    text = input;
  } else {
    return { ok: false, message: "must be a decimal string or a number" };
  }
  if (text.length === 0) return { ok: false, message: "must not be empty" };
  if (text.length > MAX_DECIMAL_LENGTH) return { ok: false, message: "is too long" };
  const m = DECIMAL.exec(text);
  if (!m) return { ok: false, message: `must be a plain decimal such as "49.99"` };
  const [, sign, whole = "", frac = ""] = m;
  // Digits beyond the exponent are accepted only when they are zeros ("49.990" USD): the value
  // is still exact, and some systems always print a fixed number of decimals.
  if (frac.length > exp && !/^0*$/.test(frac.slice(exp))) {
    return {
      ok: false,
      message: exp === 0 ? `${unit} takes no decimals` : `${unit} takes at most ${exp} decimals`,
    };
  }
  const magnitude = BigInt(whole + frac.slice(0, exp).padEnd(exp, "0"));
  return { ok: true, scaled: sign === "-" ? -magnitude : magnitude };
}

export function parseMoney(input: unknown, currency: string): MoneyParse {
  const exp = currencyExponent(currency);
  if (exp === undefined) return { ok: false, message: `unknown currency "${currency}"` };
  const r = parseScaled(input, exp, currency);
  if (!r.ok) return r;
  const max = MAX_MAJOR_UNITS * 10n ** BigInt(exp);
  if (r.scaled > max || r.scaled < -max) return { ok: false, message: `must not exceed ${MAX_MAJOR_UNITS} ${currency}` };
  return { ok: true, minor: Number(r.scaled) };
}

// Sums arrive as bigint (they may pass 2^53); single amounts as safe-integer numbers.
function formatScaled(value: number | bigint, exp: number): string {
  if (typeof value === "number" && !Number.isSafeInteger(value)) throw new RangeError(`not a safe integer: ${value}`);
  const negative = value < 0;
  const digits = String(negative ? -value : value).padStart(exp + 1, "0");
  const sign = negative ? "-" : "";
  if (exp === 0) return sign + digits;
  return `${sign}${digits.slice(0, -exp)}.${digits.slice(-exp)}`;
}

// Throws on an unknown currency or a non-integer: both are programming errors, never input.
export function formatMoney(minor: number | bigint, currency: string): string {
  const exp = currencyExponent(currency);
  if (exp === undefined) throw new RangeError(`unknown currency "${currency}"`);
  return formatScaled(minor, exp);
}

const PERCENT_EXP = 4;
const HUNDRED_PERCENT = 100n * 10n ** BigInt(PERCENT_EXP);

export function parsePercent(
  input: unknown,
): { ok: true; scaled: number } | { ok: false; message: string } {
  const r = parseScaled(input, PERCENT_EXP, "a percent");
  if (!r.ok) return r;
  if (r.scaled < 0n || r.scaled > HUNDRED_PERCENT) {
    return { ok: false, message: "must be between 0 and 100" };
  }
  return { ok: true, scaled: Number(r.scaled) };
}

export function formatPercent(scaled: number): string {
  const s = formatScaled(scaled, PERCENT_EXP);
  return s.replace(/\.?0+$/, "");
}

/** Integer division rounded half away from zero, for either sign of either operand. */
export function roundDiv(numerator: bigint, denominator: bigint): bigint {
  if (denominator === 0n) throw new RangeError("division by zero");
  const q = numerator / denominator;
  const r = numerator % denominator;
  const absR = r < 0n ? -r : r;
  const absD = denominator < 0n ? -denominator : denominator;
  if (absR * 2n < absD) return q;
  return (numerator < 0n) === (denominator < 0n) ? q + 1n : q - 1n;
}

/** `minor` × percent ÷ 100 with `scaledPercent` = percent × 10 000. Integers only. */
export function applyPercent(minor: number, scaledPercent: number): number {
  return Number(roundDiv(BigInt(minor) * BigInt(scaledPercent), HUNDRED_PERCENT));
}

/** `value` × numerator ÷ denominator, e.g. commission × remaining ÷ amount on a refund. */
export function prorate(value: number, numerator: number, denominator: number): number {
  if (denominator === 0) return 0;
  return Number(roundDiv(BigInt(value) * BigInt(numerator), BigInt(denominator)));
}
