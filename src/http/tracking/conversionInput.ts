import { parseIsoTimestamp } from "../../domain/dates";
import { isCurrency, parseMoney } from "../../domain/money";
import type { ProgramRow } from "../../db/queries/programs";
import type { ConversionInput } from "../../services/tracking/conversions";
import { invalid } from "../errors";

/** The fields a conversion arrives with, whatever the transport (JSON, query string, pixel). */
export interface RawConversion {
  orderId: string;
  event: "sale" | "lead";
  amount?: string | number | undefined;
  currency?: string | undefined;
  clickId?: string | undefined;
  customerId?: string | undefined;
  coupon?: string | undefined;
  occurredAt?: string | undefined;
}

function parseTime(raw: string | undefined, now: number): number {
  if (raw === undefined || raw === "") return now;
  const r = parseIsoTimestamp(raw, now);
  if (!r.ok) throw invalid("occurredAt", r.message);
  return r.ms;
}

/** Checks money and currency against the program; throws `validation_failed` with the field. */
export function toConversionInput(raw: RawConversion, program: ProgramRow, source: ConversionInput["source"], now: number): ConversionInput {
  const currency = raw.currency ?? program.currency;
  if (!isCurrency(currency)) throw invalid("currency", `unknown currency "${currency}"`);
  if (currency !== program.currency) throw invalid("currency", `this program's currency is ${program.currency}`);
  let amount: number | null = null;
  if (raw.amount === undefined || raw.amount === "") {
    if (raw.event === "sale") throw invalid("amount", "amount is required for a sale");
  } else {
    const parsed = parseMoney(raw.amount, currency);
    if (!parsed.ok) throw invalid("amount", parsed.message);
    if (raw.event === "sale" ? parsed.minor <= 0 : parsed.minor < 0) throw invalid("amount", raw.event === "sale" ? "must be greater than 0" : "must not be negative");
    amount = parsed.minor;
  }
  const blankToNull = (v: string | undefined) => (v === undefined || v === "" ? null : v);
  return {
    orderId: raw.orderId, event: raw.event, amount, currency,
    clickId: blankToNull(raw.clickId), customerId: blankToNull(raw.customerId), coupon: blankToNull(raw.coupon),
    occurredAt: parseTime(raw.occurredAt, now), source,
  };
}
