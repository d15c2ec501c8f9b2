import { isUniqueViolationOf } from "../../db/errors";
import type { Db } from "../../db/client";
import { insertPartner, updatePartner, type PartnerRow } from "../../db/queries/partners";
import { normalizeProfile, type LeadProfile } from "../../domain/leads";
import { entryTierId, type ProgramRow } from "../../db/queries/programs";
import { conflict, ok, type Outcome } from "../outcome";
import { diffChanges, type Actor } from "../../domain/audit";
import { partnerJson } from "../../http/api/present";

/** what a partner's change event records (the lead profile too: who set a partner's capacity to 0 is worth knowing) */
const PARTNER_FIELDS = ["name", "email", "coupon", "status", "tierId", "postbackUrl", "leadCountries", "leadVerticals", "leadCapacity"] as const;
import { applyAction, partnerOpenCommissions } from "../../db/queries/lifecycle";

const EMAIL_TAKEN = "another partner of this program has this email";
const COUPON_TAKEN = "this coupon belongs to another partner of the program";

/** The unique keys of a partner (email and coupon, per program, whatever their case) as a 409. */
function taken(err: unknown) {
  if (isUniqueViolationOf(err, "email_key")) return conflict(EMAIL_TAKEN);
  if (isUniqueViolationOf(err, "coupon_key")) return conflict(COUPON_TAKEN);
  return null;
}

/** A new partner in the program's entry tier, with its partner key (shown once). */
export async function createPartner(db: Db, program: ProgramRow, input: { name: string; email: string; coupon?: string | undefined }, now: number, actor: Actor): Promise<Outcome<{ partner: PartnerRow; apiKey: string }>> {
  try {
    const input2 = { vendorId: program.vendorId, programId: program.id, name: input.name, email: input.email, coupon: input.coupon ?? null, tierId: await entryTierId(db, program.id) };
    return ok(await insertPartner(db, input2, now, (row) => ({
      vendorId: program.vendorId, programId: program.id, type: "partner.created", action: "partner.create", actor,
      object: { type: "partner", id: row.id }, changes: diffChanges(null, row, PARTNER_FIELDS), data: partnerJson({ ...row, num: 0, leadCountries: [], leadVerticals: [], leadCapacity: 0, lastLeadOfferAt: null, openLeads: 0, source: null, referredBy: null }),
    })));
  } catch (err) {
    const refused = taken(err);
    if (refused) return refused;
    throw err;
  }
}

/**
 * Changes a partner's name, email, coupon (null removes it) or status. A partner who is not
 * `approved` earns nothing new: conversions that would be theirs are unattributed
 * (`partner_inactive`, see domain/attribution.ts). Banning also rejects their `hold` and
 * `pending` commissions: after the status is stored, so that nothing new slips in between, and
 * again on every PATCH that says `banned` (a failed second step is repaired by repeating it, and
 * by the next settle, which rejects a banned partner's open commissions before it approves any).
 */
export async function changePartner(
  db: Db, program: ProgramRow, partner: PartnerRow,
  input: Partial<Pick<PartnerRow, "name" | "email" | "coupon" | "status" | "postbackUrl">> & { profile?: Partial<LeadProfile> | undefined },
  actor: Actor, now: number,
): Promise<Outcome<PartnerRow>> {
  const { profile, ...fields } = input;
  const changes = profile ? { ...fields, ...profileColumns(partner, profile) } : fields;
  try {
    const after = { ...partner, ...changes };
    const diff = diffChanges(partner, after, PARTNER_FIELDS);
    const event = Object.keys(diff).length
      ? { vendorId: program.vendorId, programId: program.id, type: "partner.updated", action: "partner.update", actor, object: { type: "partner", id: partner.id }, changes: diff, data: partnerJson(after) }
      : null;
    const updated = await updatePartner(db, partner.id, changes, event, now);
    if (!updated) return conflict("this partner was removed meanwhile");
    // a banned partner keeps nothing it has not been paid: its held and pending commissions are rejected
    if (updated.status === "banned" && fields.status === "banned") await applyAction(db, await partnerOpenCommissions(db, partner.id), "reject", now);
    return ok(updated);
  } catch (err) {
    const refused = taken(err);
    if (refused) return refused;
    throw err;
  }
}

/** A (partial) lead profile merged into the stored one, normalised (see src/domain/leads.ts). */
function profileColumns(partner: PartnerRow, change: Partial<LeadProfile>) {
  const p = normalizeProfile({
    countries: change.countries ?? partner.leadCountries, verticals: change.verticals ?? partner.leadVerticals, leadCapacity: change.leadCapacity ?? partner.leadCapacity,
  });
  return { leadCountries: p.countries, leadVerticals: p.verticals, leadCapacity: p.leadCapacity };
}
