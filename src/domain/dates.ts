// Every date that comes in (occurredAt, report days, filters, a settle time) goes through here:
// strictly ISO 8601, a real calendar date and time (Date.parse turns 2026-02-30 into March 2),
// and between 2000-01-01 and 100 years from now (contract: "Limits on every input").

export const DAY_MS = 86_400_000;
/** The earliest accepted instant: 2000-01-01T00:00:00Z. */
export const MIN_DATE_MS = Date.UTC(2000, 0, 1);
export const MAX_YEARS_AHEAD = 100;

export type DateParse = { ok: true; ms: number } | { ok: false; message: string };

/** The latest accepted instant for a clock reading `now`: the same moment 100 years later. */
export function maxDateMs(now: number): number {
  const d = new Date(now);
  d.setUTCFullYear(d.getUTCFullYear() + MAX_YEARS_AHEAD);
  return d.getTime();
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
// date, then optionally THH:MM[:SS[.fraction]] and a zone (Z or ±HH:MM); no zone means UTC
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?)?$/i;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function calendarDate(y: string, m: string, d: string): { ok: true; year: number; month: number; day: number } | { ok: false; message: string } {
  const year = Number(y), month = Number(m), day = Number(d);
  if (month < 1 || month > 12) return { ok: false, message: `has no month ${m}` };
  if (day < 1 || day > daysInMonth(year, month)) return { ok: false, message: `${y}-${m} has no day ${d}` };
  return { ok: true, year, month, day };
}

function inRange(ms: number, now: number): DateParse {
  if (ms < MIN_DATE_MS) return { ok: false, message: "must not be before 2000-01-01" };
  if (ms > maxDateMs(now)) return { ok: false, message: `must not be more than ${MAX_YEARS_AHEAD} years from now` };
  return { ok: true, ms };
}

/** A UTC day `YYYY-MM-DD`; `ms` is its midnight. */
export function parseIsoDay(text: string, now: number): DateParse {
  const m = DAY.exec(text);
  if (!m) return { ok: false, message: "must be a date YYYY-MM-DD" };
  const date = calendarDate(m[1]!, m[2]!, m[3]!);
  if (!date.ok) return date;
  return inRange(Date.UTC(date.year, date.month - 1, date.day), now);
}

/**
 * An ISO 8601 timestamp to epoch milliseconds. Lenient by default, as postbacks have always been
 * read: a bare date is its UTC midnight and a time without a zone is UTC. `exact` requires the
 * time and the zone (query filters, settle's `now`).
 */
export function parseIsoTimestamp(text: string, now: number, opts: { exact?: boolean } = {}): DateParse {
  const m = TIMESTAMP.exec(text);
  const example = "must be an ISO-8601 timestamp such as 2026-03-01T12:00:00Z";
  if (!m || (opts.exact && (m[4] === undefined || m[8] === undefined))) return { ok: false, message: example };
  const [, y, mo, d, hh = "00", mi = "00", ss = "00", frac = "", zone = "Z"] = m;
  const date = calendarDate(y!, mo!, d!);
  if (!date.ok) return date;
  if (Number(hh) > 23 || Number(mi) > 59 || Number(ss) > 59) return { ok: false, message: `has no time ${hh}:${mi}:${ss}` };
  let offsetMin = 0;
  if (zone.toUpperCase() !== "Z") {
    const oh = Number(zone.slice(1, 3)), om = Number(zone.slice(4, 6));
    if (oh > 23 || om > 59) return { ok: false, message: `has no offset ${zone}` };
    offsetMin = (zone[0] === "-" ? -1 : 1) * (oh * 60 + om);
  }
  const millis = Number(frac.padEnd(3, "0").slice(0, 3));
  const ms = Date.UTC(date.year, date.month - 1, date.day, Number(hh), Number(mi), Number(ss), millis) - offsetMin * 60_000;
  return inRange(ms, now);
}

/** Days since the epoch of a valid day string, for the daily rollups. */
export const dayNumber = (ms: number) => Math.floor(ms / DAY_MS);
