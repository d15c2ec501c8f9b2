import { isUniqueViolation } from "../../db/errors";
import type { Db } from "../../db/client";
import { archiveRule, getRule, getTier, insertRule, updateRule, type ProgramRow, type RuleRow } from "../../db/queries/programs";
import { parseRuleValue } from "../../domain/commission";
import { conflict, invalidInput, ok, type Outcome } from "../outcome";

const TAKEN = "this program already has an active rule for this event and tier: change that one (PATCH) or archive it (DELETE) first";

/** A new commission rule; one active rule per event and tier (program-wide counts as a tier of its own). */
export async function createRule(
  db: Db,
  program: ProgramRow,
  input: { event: RuleRow["event"]; type: RuleRow["type"]; value: string | number; tierId?: string | undefined; durationMonths?: number | null | undefined },
  now: number,
): Promise<Outcome<RuleRow>> {
  // `!== undefined`, not truthiness: "" names no tier and must be refused, not stored
  if (input.tierId !== undefined && !(await getTier(db, program.id, input.tierId))) return invalidInput("tierId", "no such tier in this program");
  const value = parseRuleValue(input.type, input.value, program.currency);
  if (!value.ok) return invalidInput("value", value.message);
  try {
    return ok(await insertRule(db, { programId: program.id, tierId: input.tierId ?? null, event: input.event, type: input.type, value: value.value, durationMonths: input.durationMonths ?? null, createdAt: now }));
  } catch (err) {
    if (isUniqueViolation(err)) return conflict(TAKEN);
    throw err;
  }
}

/**
 * Changes an active rule's type and/or value. New conversions are priced with it from now on;
 * existing commissions keep the amount, type and value they were priced with.
 */
export async function changeRule(
  db: Db, program: ProgramRow, rule: RuleRow, input: { type?: RuleRow["type"] | undefined; value?: string | number | undefined; durationMonths?: number | null | undefined },
): Promise<Outcome<RuleRow>> {
  if (rule.archivedAt !== null) return conflict("this rule is archived; create a new one");
  const type = input.type ?? rule.type;
  // a changed type needs a value in its own unit: 20 (percent) is not 20.00 (flat)
  if (input.value === undefined && type !== rule.type) return invalidInput("value", `required when the type changes (a ${type} value)`);
  let value = rule.value;
  if (input.value !== undefined) {
    const parsed = parseRuleValue(type, input.value, program.currency);
    if (!parsed.ok) return invalidInput("value", parsed.message);
    value = parsed.value;
  }
  const durationMonths = input.durationMonths === undefined ? rule.durationMonths : input.durationMonths;
  const updated = await updateRule(db, rule.id, { type, value, durationMonths });
  return updated ? ok(updated) : conflict("this rule was archived meanwhile");
}

/** Archives a rule: it prices nothing new; commissions keep naming it. Archiving again changes nothing. */
export async function archiveCommissionRule(db: Db, rule: RuleRow, now: number): Promise<Outcome<RuleRow>> {
  if (rule.archivedAt !== null) return ok(rule);
  if (!(await archiveRule(db, rule.id, now))) return ok((await getRule(db, rule.id)) ?? rule);
  return ok({ ...rule, archivedAt: now });
}
