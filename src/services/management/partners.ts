import { isUniqueViolationOf } from "../../db/errors";
import type { Db } from "../../db/client";
import { insertPartner, updatePartner, type PartnerRow } from "../../db/queries/partners";
import { entryTierId, type ProgramRow } from "../../db/queries/programs";
import { conflict, ok, type Outcome } from "../outcome";
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
export async function createPartner(db: Db, program: ProgramRow, input: { name: string; email: string; coupon?: string | undefined }, now: number): Promise<Outcome<{ partner: PartnerRow; apiKey: string }>> {
  try {
    return ok(await insertPartner(db, { vendorId: program.vendorId, programId: program.id, name: input.name, email: input.email, coupon: input.coupon ?? null, tierId: await entryTierId(db, program.id) }, now));
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
 * again on every PATCH that says `banned` (a failed second step is repaired by repeating it).
 */
export async function changePartner(db: Db, partner: PartnerRow, input: Partial<Pick<PartnerRow, "name" | "email" | "coupon" | "status">>, now: number): Promise<Outcome<PartnerRow>> {
  try {
    const updated = await updatePartner(db, partner.id, input);
    if (!updated) return conflict("this partner was removed meanwhile");
    if (updated.status === "banned" && input.status === "banned") await applyAction(db, await partnerOpenCommissions(db, partner.id), "reject", now);
    return ok(updated);
  } catch (err) {
    const refused = taken(err);
    if (refused) return refused;
    throw err;
  }
}
