import { applyPercent } from "./money";

export type ConversionEvent = "sale" | "lead";

export interface CommissionRule {
  id: string;
  tierId: string | null;
  event: ConversionEvent;
  type: "percent" | "flat";
  /** percent × 10 000 for percent rules, minor units for flat ones */
  value: number;
  createdAt: number;
}

/**
 * Picks the rule for a conversion: among rules for its event that existed when it was created,
 * one of the partner's tier beats a program-wide one; among equals, the newest wins.
 */
export function pickRule(rules: readonly CommissionRule[], event: ConversionEvent, tierId: string | null, at: number): CommissionRule | null {
  let best: CommissionRule | null = null;
  for (const rule of rules) {
    if (rule.event !== event || rule.createdAt > at) continue;
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
