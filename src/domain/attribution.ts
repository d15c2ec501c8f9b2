import type { ClickIdFields } from "./clickId";
import { DAY_MS } from "./traffic";

export type AttributionModel = "last_click" | "first_click";
export type UnattributedReason =
  | "no_identifier" | "click_unknown" | "click_expired" | "click_other_program" | "bot_click"
  | "customer_unknown" | "coupon_unknown" | "partner_inactive";

/** A click may happen this long after the conversion's stated time (clocks drift). */
export const CLICK_CLOCK_DRIFT_MS = 5 * 60_000;

/** A click that attribution can use, with the link and partner its numbers resolved to. */
export interface ClickCandidate {
  clickId: string;
  clickTs: number;
  linkId: string;
  partnerId: string;
}

/**
 * Everything attribution needs, gathered by the service before deciding. Each identifier is
 * present only when the conversion carried it.
 */
export interface AttributionFacts {
  programNum: number;
  model: AttributionModel;
  cookieDays: number;
  occurredAt: number;
  click?: {
    /** null when the id is malformed, forged or altered */
    decoded: ClickIdFields | null;
    /** resolved link/partner, null when the numbers are unknown to this server */
    candidate: ClickCandidate | null;
  };
  customer?: {
    firstPartnerId: string | null;
    lastPartnerId: string | null;
    /** first_click only: the earliest click of this customer's attributed conversions within the window */
    earliestClickInWindow: ClickCandidate | null;
  };
  coupon?: { partnerId: string | null };
}

export type AttributionDecision =
  | { attributed: true; partnerId: string; linkId: string | null; clickId: string | null; clickTs: number | null; via: "click" | "customer" | "coupon" | "deal" }
  | { attributed: false; reason: UnattributedReason };

export function clickWindowCheck(clickTs: number, occurredAt: number, cookieDays: number): boolean {
  return clickTs >= occurredAt - cookieDays * DAY_MS && clickTs <= occurredAt + CLICK_CLOCK_DRIFT_MS;
}

type Step = AttributionDecision;

function byClick(f: AttributionFacts, click: NonNullable<AttributionFacts["click"]>): Step {
  const d = click.decoded;
  if (!d) return { attributed: false, reason: "click_unknown" };
  if (d.programNum !== f.programNum) return { attributed: false, reason: "click_other_program" };
  if (!click.candidate) return { attributed: false, reason: "click_unknown" };
  if (d.bot) return { attributed: false, reason: "bot_click" };
  if (!clickWindowCheck(d.ts, f.occurredAt, f.cookieDays)) return { attributed: false, reason: "click_expired" };
  let winner = click.candidate;
  // first_click: a returning customer's earlier click inside the window beats the presented one.
  const earlier = f.model === "first_click" ? f.customer?.earliestClickInWindow : null;
  if (earlier && earlier.clickTs < winner.clickTs) winner = earlier;
  return { attributed: true, via: "click", partnerId: winner.partnerId, linkId: winner.linkId, clickId: winner.clickId, clickTs: winner.clickTs };
}

function byCustomer(f: AttributionFacts, customer: NonNullable<AttributionFacts["customer"]>): Step {
  const partnerId = f.model === "first_click" ? customer.firstPartnerId : customer.lastPartnerId;
  if (!partnerId) return { attributed: false, reason: "customer_unknown" };
  return { attributed: true, via: "customer", partnerId, linkId: null, clickId: null, clickTs: null };
}

function byCoupon(coupon: NonNullable<AttributionFacts["coupon"]>): Step {
  if (!coupon.partnerId) return { attributed: false, reason: "coupon_unknown" };
  return { attributed: true, via: "coupon", partnerId: coupon.partnerId, linkId: null, clickId: null, clickTs: null };
}

/**
 * The attribution rule. Identifiers are tried in the order click id, customer, coupon; the first
 * that attributes wins. When none does, the reason is that of the first identifier given.
 */
export function decideAttribution(f: AttributionFacts): AttributionDecision {
  const steps: Step[] = [];
  if (f.click) steps.push(byClick(f, f.click));
  if (f.customer) steps.push(byCustomer(f, f.customer));
  if (f.coupon) steps.push(byCoupon(f.coupon));
  const won = steps.find((s) => s.attributed);
  if (won) return won;
  return steps[0] ?? { attributed: false, reason: "no_identifier" };
}

/** A won deal is its partner's by registration: no identifier to weigh. */
export const dealAttribution = (partnerId: string): AttributionDecision => ({ attributed: true, via: "deal", partnerId, linkId: null, clickId: null, clickTs: null });

/**
 * Only an approved partner earns: a conversion that would go to a deactivated or banned
 * partner is unattributed (`partner_inactive`). Their links keep redirecting (the visitor is
 * the vendor's); this is where the credit stops. `status` is null when the partner is unknown.
 */
export function withPartnerStatus<D extends AttributionDecision>(decision: D, status: string | null): D | { attributed: false; reason: "partner_inactive" } {
  if (!decision.attributed || status === null || status === "approved") return decision;
  return { attributed: false, reason: "partner_inactive" };
}

/**
 * The pixel is provisional (anyone who reads the vendor's page can fire it): it records a
 * conversion only when it brings a click id this program issued, for a person, inside the
 * window. Customer and coupon never attribute a pixel; without such a click it records nothing,
 * so there is no conversion to squat on. Null means: record nothing.
 */
export function decidePixelAttribution(f: AttributionFacts): Extract<AttributionDecision, { attributed: true }> | null {
  if (!f.click) return null;
  const step = byClick(f, f.click);
  return step.attributed ? step : null;
}

/** Whether a conversion carries anything attribution can use (a postback without any keeps the pixel's click). */
export const hasIdentifier = (input: { clickId: string | null; customerId: string | null; coupon: string | null }): boolean =>
  input.clickId !== null || input.customerId !== null || input.coupon !== null;
