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
  customerEmail?: string | undefined;
  occurredAt?: string | undefined;
}

function parseTime(raw: string | undefined, now: number): number {
  if (raw === undefined || raw === "") return now;
  const r = parseIsoTimestamp(raw, now);
  if (!r.ok) throw invalid("occurredAt", r.message);
  return r.ms;
}

/** The JSON postback's limits, kept on every channel (pixel, GET postback, Stripe). */
export const IDENTIFIER_LIMITS = { orderId: 200, clickId: 200, customerId: 200, coupon: 100, customerEmail: 254 } as const;

/** Enough of an address to compare: one @ between non-empty parts, no spaces. */
const EMAIL_SHAPE = /^[^@\s]+@[^@\s]+$/;

function checkLengths(raw: RawConversion): void {
  for (const [field, max] of Object.entries(IDENTIFIER_LIMITS) as [keyof typeof IDENTIFIER_LIMITS, number][]) {
    const value = raw[field];
    if (value !== undefined && value.length > max) throw invalid(field, `must be at most ${max} characters`);
  }
  if (raw.customerEmail && !EMAIL_SHAPE.test(raw.customerEmail.trim())) throw invalid("customerEmail", "must be an e-mail address");
}

/** Checks identifiers, money and currency against the program; throws `validation_failed` with the field. */
export function toConversionInput(raw: RawConversion, program: ProgramRow, source: ConversionInput["source"], now: number): ConversionInput {
  checkLengths(raw);
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
    clickId: blankToNull(raw.clickId), customerId: blankToNull(raw.customerId), coupon: blankToNull(raw.coupon), customerEmail: blankToNull(raw.customerEmail?.trim()),
    occurredAt: parseTime(raw.occurredAt, now), source,
  };
}
