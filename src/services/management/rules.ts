import { isUniqueViolation } from "../../db/errors";
import type { Db } from "../../db/client";
import { archiveRule, getRule, getTier, insertRule, updateRule, type ProgramRow, type RuleRow } from "../../db/queries/programs";
import { parseRuleValue } from "../../domain/commission";
import { formatMoney, formatPercent } from "../../domain/money";
import { conflict, invalidInput, ok, type Outcome } from "../outcome";
import { diffChanges, type Actor } from "../../domain/audit";
import type { EventInput } from "../../db/queries/events";

const RULE_FIELDS = ["event", "tierId", "type", "value", "archivedAt"] as const;

/** The audit event of a change to a rule (a rule change is no webhook event). */
function ruleEvent(program: ProgramRow, actor: Actor, action: string, before: RuleRow | null, after: RuleRow): EventInput {
  return { vendorId: program.vendorId, programId: program.id, action, actor, object: { type: "rule", id: after.id }, changes: diffChanges(shown(program, before), shown(program, after), RULE_FIELDS) };
}

/** A rule's value as the API shows it ("20.0000" percent, "5.00" flat), so the diff reads like the API. */
function shown(program: ProgramRow, r: Pick<RuleRow, "type" | "value" | "durationMonths"> | null) {
  return r && { ...r, value: r.type === "percent" ? formatPercent(r.value) : formatMoney(r.value, program.currency) };
}

const TAKEN = "this program already has an active rule for this event and tier: change that one (PATCH) or archive it (DELETE) first";

/** A new commission rule; one active rule per event and tier (program-wide counts as a tier of its own). */
export async function createRule(
  db: Db,
  program: ProgramRow,
  input: { event: RuleRow["event"]; type: RuleRow["type"]; value: string | number; tierId?: string | undefined; durationMonths?: number | null | undefined },
  now: number,
  actor: Actor,
): Promise<Outcome<RuleRow>> {
  // `!== undefined`, not truthiness: "" names no tier and must be refused, not stored
  if (input.tierId !== undefined && !(await getTier(db, program.id, input.tierId))) return invalidInput("tierId", "no such tier in this program");
  const value = parseRuleValue(input.type, input.value, program.currency);
  if (!value.ok) return invalidInput("value", value.message);
  try {
    return ok(await insertRule(db, { programId: program.id, tierId: input.tierId ?? null, event: input.event, type: input.type, value: value.value, durationMonths: input.durationMonths ?? null, createdAt: now }, (row) => ruleEvent(program, actor, "rule.create", null, row)));
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
  actor: Actor, now: number,
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
  const changed = diffChanges(shown(program, rule), shown(program, { type, value, durationMonths }), ["type", "value", "durationMonths"]);
  const event = Object.keys(changed).length ? { ...ruleEvent(program, actor, "rule.update", rule, rule), changes: changed } : null;
  const updated = await updateRule(db, rule.id, { type, value, durationMonths }, event, now);
  return updated ? ok(updated) : conflict("this rule was archived meanwhile");
}

/** Archives a rule: it prices nothing new; commissions keep naming it. Archiving again changes nothing. */
export async function archiveCommissionRule(db: Db, program: ProgramRow, rule: RuleRow, now: number, actor: Actor): Promise<Outcome<RuleRow>> {
  if (rule.archivedAt !== null) return ok(rule);
  const event = { ...ruleEvent(program, actor, "rule.archive", rule, rule), changes: { archived: [false, true] as [unknown, unknown] } };
  if (!(await archiveRule(db, rule.id, now, event))) return ok((await getRule(db, rule.id)) ?? rule);
  return ok({ ...rule, archivedAt: now });
}
