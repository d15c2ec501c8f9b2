import { parseMoney } from "./money";
import { isPublicSuffix } from "./publicSuffix";
import { normalizeAllowedDomain } from "./urlSafety";
import type { AttributionModel } from "./attribution";

/**
 * The settings of a program a vendor may change after creating it. Currency and click parameter
 * are fixed: amounts already stored are in the currency's minor units, and the click parameter
 * is baked into every link and snippet already out in the world.
 */
export interface ProgramSettings {
  name: string;
  cookieDays: number;
  attribution: AttributionModel;
  holdDays: number;
  allowedDomains: string[];
  minPayout: number;
  minConversionSeconds: number;
  dealProtectionDays: number;
  leadSlaHours: number;
}

export type SettingsCheck<T> = { ok: true; value: T } | { ok: false; field: string; message: string };

export const COOKIE_DAYS = { min: 1, max: 3650 } as const;
export const HOLD_DAYS = { min: 0, max: 365 } as const;
/** a day at most: beyond, every honest conversion of a returning visitor would be flagged */
export const MIN_CONVERSION_SECONDS = { min: 0, max: 86_400 } as const;
export const DEAL_PROTECTION_DAYS = { min: 1, max: 3650 } as const;
export const LEAD_SLA_HOURS = { min: 1, max: 720 } as const;

/**
 * Normalizes allowed-domain entries; the first entry that is not a hostname or `.suffix` is an
 * error, and so is a public suffix (`com`, `.co.uk`, `.github.io`): it would let links send
 * visitors to anybody's site under it.
 */
export function checkAllowedDomains(entries: readonly string[]): SettingsCheck<string[]> {
  if (entries.length === 0) return { ok: false, field: "allowedDomains", message: "needs at least one domain" };
  if (entries.length > 100) return { ok: false, field: "allowedDomains", message: "at most 100 domains" };
  const normalized: string[] = [];
  for (const [i, entry] of entries.entries()) {
    const host = normalizeAllowedDomain(entry);
    if (!host) return { ok: false, field: `allowedDomains.${i}`, message: `"${entry}" is not a hostname or .suffix` };
    if (isPublicSuffix(host.startsWith(".") ? host.slice(1) : host)) {
      return { ok: false, field: `allowedDomains.${i}`, message: `"${entry}" is a public suffix: name a registrable domain (example.com) or a host under one` };
    }
    if (!normalized.includes(host)) normalized.push(host);
  }
  return { ok: true, value: normalized };
}

/** A minimum payout in the program's currency: a non-negative amount with the currency's digits. */
export function checkMinPayout(input: string | number, currency: string): SettingsCheck<number> {
  const m = parseMoney(input, currency);
  if (!m.ok) return { ok: false, field: "minPayout", message: m.message };
  if (m.minor < 0) return { ok: false, field: "minPayout", message: "must not be negative" };
  return { ok: true, value: m.minor };
}

const inRange = (n: number, r: { min: number; max: number }) => Number.isInteger(n) && n >= r.min && n <= r.max;

/**
 * Checks a change to a program's settings (any subset), in the program's currency, and returns
 * the normalized values to store. Ranges match program creation.
 */
export function checkSettingsChange(
  change: { name?: string; cookieDays?: number; attribution?: string; holdDays?: number; allowedDomains?: readonly string[]; minPayout?: string | number; minConversionSeconds?: number; dealProtectionDays?: number; leadSlaHours?: number },
  currency: string,
): SettingsCheck<Partial<ProgramSettings>> {
  const out: Partial<ProgramSettings> = {};
  if (change.name !== undefined) {
    const name = change.name.trim();
    if (!name || name.length > 200) return { ok: false, field: "name", message: "must be 1–200 characters" };
    out.name = name;
  }
  if (change.cookieDays !== undefined) {
    if (!inRange(change.cookieDays, COOKIE_DAYS)) return { ok: false, field: "cookieDays", message: `must be a whole number of days, ${COOKIE_DAYS.min}–${COOKIE_DAYS.max}` };
    out.cookieDays = change.cookieDays;
  }
  if (change.attribution !== undefined) {
    if (change.attribution !== "last_click" && change.attribution !== "first_click") return { ok: false, field: "attribution", message: "must be last_click or first_click" };
    out.attribution = change.attribution;
  }
  if (change.holdDays !== undefined) {
    if (!inRange(change.holdDays, HOLD_DAYS)) return { ok: false, field: "holdDays", message: `must be a whole number of days, ${HOLD_DAYS.min}–${HOLD_DAYS.max}` };
    out.holdDays = change.holdDays;
  }
  if (change.allowedDomains !== undefined) {
    const domains = checkAllowedDomains(change.allowedDomains);
    if (!domains.ok) return domains;
    out.allowedDomains = domains.value;
  }
  if (change.minPayout !== undefined) {
    const min = checkMinPayout(change.minPayout, currency);
    if (!min.ok) return min;
    out.minPayout = min.value;
  }
  if (change.minConversionSeconds !== undefined) {
    if (!inRange(change.minConversionSeconds, MIN_CONVERSION_SECONDS)) {
      return { ok: false, field: "minConversionSeconds", message: `must be a whole number of seconds, ${MIN_CONVERSION_SECONDS.min}–${MIN_CONVERSION_SECONDS.max}` };
    }
    out.minConversionSeconds = change.minConversionSeconds;
  }
  if (change.dealProtectionDays !== undefined) {
    if (!inRange(change.dealProtectionDays, DEAL_PROTECTION_DAYS)) return { ok: false, field: "dealProtectionDays", message: `must be a whole number of days, ${DEAL_PROTECTION_DAYS.min}–${DEAL_PROTECTION_DAYS.max}` };
    out.dealProtectionDays = change.dealProtectionDays;
  }
  if (change.leadSlaHours !== undefined) {
    if (!inRange(change.leadSlaHours, LEAD_SLA_HOURS)) return { ok: false, field: "leadSlaHours", message: `must be a whole number of hours, ${LEAD_SLA_HOURS.min}–${LEAD_SLA_HOURS.max}` };
    out.leadSlaHours = change.leadSlaHours;
  }
  return { ok: true, value: out };
}
