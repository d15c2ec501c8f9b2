import { applyPercent, parseMoney, parsePercent } from "./money";

export type ConversionEvent = "sale" | "lead";

/** A rule matched but its duration was over: the explanation says so with these facts. */
export interface NoCommission {
  reason: "outside_duration";
  ruleId: string;
  durationMonths: number;
  /** the customer's first attributed conversion */
  firstAt: number;
}


export interface CommissionRule {
  id: string;
  tierId: string | null;
  event: ConversionEvent;
  type: "percent" | "flat";
  /** percent × 10 000 for percent rules, minor units for flat ones */
  value: number;
  createdAt: number;
  /** archived rules never price a new conversion */
  archivedAt?: number | null;
  /** recurring commissions: null lifetime, 0 the customer's first conversion only, N months after it */
  durationMonths?: number | null;
}

/**
 * Picks the rule for a conversion: among rules for its event that existed when it was created,
 * one of the partner's tier beats a program-wide one; among equals, the newest wins. Archived
 * rules are skipped (the rules reader leaves them out too).
 */
export function pickRule(rules: readonly CommissionRule[], event: ConversionEvent, tierId: string | null, at: number): CommissionRule | null {
  let best: CommissionRule | null = null;
  for (const rule of rules) {
    if (rule.event !== event || rule.createdAt > at || (rule.archivedAt ?? null) !== null) continue;
    if (rule.tierId !== null && rule.tierId !== tierId) continue;
    if (!best) best = rule;
    else if ((rule.tierId !== null) !== (best.tierId !== null)) best = rule.tierId !== null ? rule : best;
    else if (rule.createdAt > best.createdAt) best = rule;
  }
  return best;
}

/** Commission in minor units for a conversion amount (minor units) under a rule. */
export function commissionAmount(rule: Pick<CommissionRule, "type" | "value">, amount: number): number {
  return rule.type === "percent" ? applyPercent(amount, rule.value) : rule.value;
}

/** A rule's value as stored: percent × 10 000 (0–100 %), or minor units of the currency (≥ 0). */
export function parseRuleValue(type: "percent" | "flat", value: unknown, currency: string): { ok: true; value: number } | { ok: false; message: string } {
  if (type === "percent") {
    const p = parsePercent(value);
    return p.ok ? { ok: true, value: p.scaled } : p;
  }
  const m = parseMoney(value, currency);
  if (!m.ok) return m;
  if (m.minor < 0) return { ok: false, message: "must not be negative" };
  return { ok: true, value: m.minor };
}

/** `ms` plus `months` calendar months (UTC), the day clamped to the month's end (Jan 31 + 1 → Feb 28/29). */
export function addMonthsUtc(ms: number, months: number): number {
  const d = new Date(ms);
  const target = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds()));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d.getUTCDate(), lastDay));
  return target.getTime();
}

/**
 * Whether a rule's duration still pays a conversion of a customer whose first attributed
 * conversion was at `firstAt` (null: none yet, so this one is the first). A conversion without a
 * customer id is always its customer's first: nothing says otherwise.
 */
export function withinDuration(durationMonths: number | null | undefined, firstAt: number | null, occurredAt: number): boolean {
  if (durationMonths === null || durationMonths === undefined || firstAt === null || occurredAt <= firstAt) return true;
  if (durationMonths === 0) return false;
  return occurredAt < addMonthsUtc(firstAt, durationMonths);
}
