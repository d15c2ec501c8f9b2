import type { NoCommission } from "./commission";
import { FLAG_WORDS, type FraudFlag } from "./fraud";
import { formatMoney, formatPercent, prorate } from "./money";

export interface ExplainInput {
  conversion: {
    status: string; reason: string | null; via: string | null; model: string; occurredAt: number; clickTs: number | null;
    clickId: string | null; linkId: string | null; partnerId: string | null; amount: number; refunded: number; currency: string; coupon: string | null; customerId: string | null;
    noCommission?: NoCommission | null;
  };
  cookieDays: number;
  tier: { id: string; name: string } | null;
  rule: { id: string; type: "percent" | "flat"; value: number; tierId: string | null } | null;
  commission: { originalAmount: number; amount: number; status: string; flags?: readonly FraudFlag[] | null } | null;
  /** what refunds after payment moved onto payouts (negative amounts), with the payout each waits for or went into */
  adjustments?: readonly { id: string; amount: number; payoutId: string | null }[];
}

const REASONS: Record<string, string> = {
  no_identifier: "the conversion carried no click id, customer id or coupon",
  click_unknown: "its click id was not issued by this server (malformed, forged or altered), or names an unknown link",
  click_expired: "its click happened outside the cookie window (or more than 5 minutes after the conversion)",
  click_other_program: "its click id belongs to another program",
  bot_click: "its click was made by a bot",
  customer_unknown: "its customer id has no earlier attributed conversion in this program",
  coupon_unknown: "its coupon belongs to no partner of this program",
  partner_inactive: "the partner it would go to is deactivated or banned: they earn nothing new",
};

const iso = (ms: number) => new Date(ms).toISOString();
const day = (ms: number) => iso(ms).slice(0, 10);

/** Why a matching rule paid nothing: its duration for this customer was over. */
function outsideDuration(n: NoCommission, occurredAt: number): string {
  const span = n.durationMonths === 0 ? "pays only a customer's first conversion" : `pays for ${n.durationMonths} month${n.durationMonths === 1 ? "" : "s"} after a customer's first conversion`;
  return `No commission: rule ${n.ruleId} ${span}; this customer first converted on ${day(n.firstAt)}, and this conversion on ${day(occurredAt)} is past that.`;
}

function noCommissionWords(x: ExplainInput): string | null {
  const c = x.conversion;
  if (c.status !== "attributed") return "No commission: the conversion is not attributed.";
  if (c.noCommission) return outsideDuration(c.noCommission, c.occurredAt);
  if (!x.rule) return "No commission: no rule matched the event when the conversion was created.";
  return null;
}

/** Why a conversion was (or was not) attributed, and how its commission was computed, in words. */
export function explain(x: ExplainInput) {
  const c = x.conversion;
  const adjustments = x.adjustments ?? [];
  const window = `${x.cookieDays}-day window, ${c.model}`;
  let attribution: string;
  if (c.status !== "attributed") attribution = `Not attributed: ${REASONS[c.reason ?? "no_identifier"] ?? c.reason}.`;
  else if (c.via === "click")
    attribution = `Attributed by click ${c.clickId} on link ${c.linkId} at ${iso(c.clickTs!)}, ${Math.round(((c.occurredAt - c.clickTs!) / 3_600_000) * 10) / 10} h before the conversion at ${iso(c.occurredAt)} (${window}).`;
  else if (c.via === "customer") attribution = `Attributed by returning customer ${c.customerId} to partner ${c.partnerId} (lifetime, ${c.model}).`;
  else attribution = `Attributed by coupon ${c.coupon} of partner ${c.partnerId}.`;

  let arithmetic: string | null = null;
  if (x.rule && x.commission) {
    const amount = `${formatMoney(c.amount, c.currency)} ${c.currency}`;
    const result = `${formatMoney(x.commission.originalAmount, c.currency)} ${c.currency}`;
    arithmetic = x.rule.type === "percent"
      ? `${formatPercent(x.rule.value)}% of ${amount} = ${result}, rounded half away from zero`
      : `flat ${result} per ${c.status === "attributed" ? "conversion" : "event"}`;
    if (c.refunded > 0) {
      const m = (v: number) => `${formatMoney(v, c.currency)} ${c.currency}`;
      // the prorated amount, not the stored one: a paid commission keeps its amount and the difference is an adjustment
      const earned = prorate(x.commission.originalAmount, c.amount - c.refunded, c.amount);
      arithmetic += `; after refunds of ${m(c.refunded)}: ${formatMoney(x.commission.originalAmount, c.currency)} × ${formatMoney(c.amount - c.refunded, c.currency)} ÷ ${formatMoney(c.amount, c.currency)} = ${m(earned)}`;
      if (adjustments.length > 0) {
        const total = adjustments.reduce((sum, a) => sum + a.amount, 0);
        arithmetic += `; the commission stays ${m(x.commission.amount)} as ${x.commission.status === "paid" ? "paid" : "listed in its payout"}, and adjustments of ${m(total)} go onto payouts (${m(x.commission.amount)} ${total < 0 ? "−" : "+"} ${m(Math.abs(total))} = ${m(x.commission.amount + total)})`;
      }
    }
  }
  return {
    attribution,
    window: { cookieDays: x.cookieDays, model: c.model },
    tier: x.tier,
    rule: x.rule ? { id: x.rule.id, type: x.rule.type, value: x.rule.type === "percent" ? formatPercent(x.rule.value) : formatMoney(x.rule.value, c.currency), tierSpecific: x.rule.tierId !== null } : null,
    arithmetic,
    adjustments: adjustments.map((a) => ({ id: a.id, amount: formatMoney(a.amount, c.currency), currency: c.currency, payoutId: a.payoutId })),
    commission: noCommissionWords(x),
    flags: (x.commission?.flags ?? []).map((flag) => ({ flag, reason: `Held for review: ${FLAG_WORDS[flag]}.` })),
  };
}
