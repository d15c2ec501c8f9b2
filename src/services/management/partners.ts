import { isUniqueViolationOf } from "../../db/errors";
import type { Db } from "../../db/client";
import { insertPartner, updatePartner, type PartnerRow } from "../../db/queries/partners";
import { entryTierId, type ProgramRow } from "../../db/queries/programs";
import { conflict, ok, type Outcome } from "../outcome";
import { diffChanges, type Actor } from "../../domain/audit";
import { partnerJson } from "../../http/api/present";

const PARTNER_FIELDS = ["name", "email", "coupon", "status", "tierId", "postbackUrl"] as const;

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
      object: { type: "partner", id: row.id }, changes: diffChanges(null, row, PARTNER_FIELDS), data: partnerJson({ ...row, num: 0 }),
    })));
  } catch (err) {
    const refused = taken(err);
    if (refused) return refused;
    throw err;
  }
}

/**
 * Changes a partner's name, email, coupon (null removes it) or status. The status is only
 * stored for now; what `deactivated` and `banned` do to attribution comes with its own issue.
 */
export async function changePartner(db: Db, program: ProgramRow, partner: PartnerRow, input: Partial<Pick<PartnerRow, "name" | "email" | "coupon" | "status" | "postbackUrl">>, actor: Actor, now: number): Promise<Outcome<PartnerRow>> {
  try {
    const after = { ...partner, ...input };
    const changes = diffChanges(partner, after, PARTNER_FIELDS);
    const event = Object.keys(changes).length
      ? { vendorId: program.vendorId, programId: program.id, type: "partner.updated", action: "partner.update", actor, object: { type: "partner", id: partner.id }, changes, data: partnerJson(after) }
      : null;
    const updated = await updatePartner(db, partner.id, input, event, now);
    return updated ? ok(updated) : conflict("this partner was removed meanwhile");
  } catch (err) {
    const refused = taken(err);
    if (refused) return refused;
    throw err;
  }
}
