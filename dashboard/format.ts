import { formatMoney } from "../src/domain/money";

const FALLBACK = "en-US";
const cache = new Map<string, Fmt>();

/** The first language of an Accept-Language header that Intl supports, else en-US. */
export function pickLocale(header: string | undefined | null): string {
  for (const part of (header ?? "").split(",")) {
    const tag = part.split(";")[0]!.trim();
    if (!tag || tag === "*" || tag.length > 35) continue;
    try {
      const [supported] = Intl.NumberFormat.supportedLocalesOf([tag]);
      if (supported) return supported;
    } catch {
      // malformed tag: try the next one
    }
  }
  return FALLBACK;
}

/**
 * Numbers, money and dates for one viewer's locale. Money stays exact: the minor units become
 * a decimal string first, and Intl formats that string (no float ever holds an amount).
 */
export class Fmt {
  private readonly int: Intl.NumberFormat;
  private readonly pct: Intl.NumberFormat;
  private readonly money: Intl.NumberFormat;
  private readonly moneyShort: Intl.NumberFormat;
  private readonly date: Intl.DateTimeFormat;
  private readonly dateTime: Intl.DateTimeFormat;
  private readonly dayShort: Intl.DateTimeFormat;

  private constructor(readonly locale: string, readonly currency: string) {
    this.int = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
    this.pct = new Intl.NumberFormat(locale, { style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 2 });
    this.money = new Intl.NumberFormat(locale, { style: "currency", currency });
    this.moneyShort = new Intl.NumberFormat(locale, { style: "currency", currency, notation: "compact", minimumFractionDigits: 0, maximumFractionDigits: 1 });
    this.date = new Intl.DateTimeFormat(locale, { timeZone: "UTC", year: "numeric", month: "short", day: "numeric" });
    this.dateTime = new Intl.DateTimeFormat(locale, { timeZone: "UTC", year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short" });
    this.dayShort = new Intl.DateTimeFormat(locale, { timeZone: "UTC", month: "short", day: "numeric" });
  }

  static for(acceptLanguage: string | undefined | null, currency = "USD"): Fmt {
    const locale = pickLocale(acceptLanguage);
    const key = `${locale}|${currency}`;
    let f = cache.get(key);
    if (!f) {
      f = new Fmt(locale, currency);
      if (cache.size < 500) cache.set(key, f);
    }
    return f;
  }

  n(value: number): string {
    return this.int.format(value);
  }
  /** "1 click", "2 clicks": a count with its noun, plural unless it is exactly one */
  count(value: number, one: string, many = `${one}s`): string {
    return `${this.int.format(value)} ${value === 1 ? one : many}`;
  }
  percent(ratio: number): string {
    return this.pct.format(ratio);
  }
  /** minor units → "$1,234.50" in the viewer's locale; sums come as bigint (exact beyond 2^53) */
  m(minor: number | bigint): string {
    return this.money.format(formatMoney(minor, this.currency) as unknown as number);
  }
  /** compact money for chart axes ("$12K"); an axis value may be any whole float, hence BigInt */
  mShort(minor: number | bigint): string {
    const whole = typeof minor === "bigint" ? minor : BigInt(Math.round(minor));
    return this.moneyShort.format(formatMoney(whole, this.currency) as unknown as number);
  }
  /** decimal string in the currency's digits, for CSV and inputs */
  plain(minor: number | bigint): string {
    return formatMoney(minor, this.currency);
  }
  day(msOrIso: number | string): string {
    return this.date.format(typeof msOrIso === "string" ? Date.parse(`${msOrIso}T00:00:00Z`) : msOrIso);
  }
  dayShortOf(iso: string): string {
    return this.dayShort.format(Date.parse(`${iso}T00:00:00Z`));
  }
  time(ms: number): string {
    return this.dateTime.format(ms);
  }
}
