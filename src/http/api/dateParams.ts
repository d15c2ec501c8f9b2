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

const DAY_MS = 86_400_000;

/**
 * A range bound of a list filter: `YYYY-MM-DD` is a whole UTC day (`to` includes it), a full
 * ISO-8601 timestamp an instant (`to` excludes it). Epoch milliseconds; `400` naming `field`.
 */
export function rangeBoundParam(field: "from" | "to", raw: string, now: number): number {
  if (/^\d{4}-\d{2}-\d{2}$/.test(raw)) {
    const day = dayParam(field, raw, now);
    return (field === "to" ? day + 1 : day) * DAY_MS;
  }
  return instantParam(field, raw, now);
}
