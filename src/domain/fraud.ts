import { createHmac } from "node:crypto";

export const FRAUD_FLAGS = ["self_referral", "click_too_fast", "click_flood"] as const;
export type FraudFlag = (typeof FRAUD_FLAGS)[number];

/** More clicks than this by one visitor on one link in a UTC day make its conversions suspect. */
export const CLICK_FLOOD_THRESHOLD = 20;

/**
 * A customer's e-mail as afflux keeps it: a keyed hash (the server secret), so that a partner's
 * own address can be recognised without storing anyone's address. Case and surrounding spaces
 * do not matter, as for the address itself.
 */
export function emailHash(secret: string, email: string): string {
  return createHmac("sha256", secret).update(`email:${email.trim().toLowerCase()}`).digest("base64url");
}

export interface FraudFacts {
  customerEmailHash: string | null;
  partnerEmailHash: string | null;
  /** the attributing click's time (null: attributed by customer or coupon) */
  clickTs: number | null;
  occurredAt: number;
  minConversionSeconds: number;
  /** the attributing click's visitor's clicks on its link that day (null: unknown) */
  visitorClicksThatDay: number | null;
}

/**
 * The fraud signals of a new commission; any of them sends it to `hold` for a manager.
 * - self_referral: the customer is the partner (same e-mail).
 * - click_too_fast: the conversion came sooner after its click than a person could buy
 *   (minConversionSeconds; 0: not checked).
 * - click_flood: the click's visitor clicked the link more than the threshold that day.
 */
export function fraudFlags(f: FraudFacts): FraudFlag[] {
  const flags: FraudFlag[] = [];
  if (f.customerEmailHash !== null && f.customerEmailHash === f.partnerEmailHash) flags.push("self_referral");
  // 0 turns the check off (a click a moment after its conversion's time is clock skew, not speed)
  if (f.clickTs !== null && f.minConversionSeconds > 0 && f.occurredAt - f.clickTs < f.minConversionSeconds * 1000) flags.push("click_too_fast");
  if (f.visitorClicksThatDay !== null && f.visitorClicksThatDay > CLICK_FLOOD_THRESHOLD) flags.push("click_flood");
  return flags;
}

export const FLAG_WORDS: Record<FraudFlag, string> = {
  self_referral: "the customer's e-mail is the partner's own (self-referral)",
  click_too_fast: "the conversion came sooner after its click than the program's minimum",
  click_flood: `the click's visitor clicked this link more than ${CLICK_FLOOD_THRESHOLD} times that day`,
};
