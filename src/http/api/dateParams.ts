import { dayNumber, parseIsoDay, parseIsoTimestamp } from "../../domain/dates";
import { invalid } from "../errors";

/** A `YYYY-MM-DD` parameter as a day number (days since the epoch); `400` naming `field` otherwise. */
export function dayParam(field: string, raw: string, now: number): number {
  const r = parseIsoDay(raw, now);
  if (!r.ok) throw invalid(field, r.message);
  return dayNumber(r.ms);
}

/** An ISO-8601 timestamp parameter (time and zone required) as epoch milliseconds; `400` naming `field` otherwise. */
export function instantParam(field: string, raw: string, now: number): number {
  const r = parseIsoTimestamp(raw, now, { exact: true });
  if (!r.ok) throw invalid(field, r.message);
  return r.ms;
}
