import { isUniqueViolationOf } from "../../db/errors";
import type { Db } from "../../db/client";
import { insertPartner, updatePartner, type PartnerRow } from "../../db/queries/partners";
import { normalizeProfile, type LeadProfile } from "../../domain/leads";
import { entryTierId, type ProgramRow } from "../../db/queries/programs";
import { conflict, ok, type Outcome } from "../outcome";

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
 * Changes a partner's name, email, coupon (null removes it) or status. The status is only
 * stored for now; what `deactivated` and `banned` do to attribution comes with its own issue.
 */
export async function changePartner(
  db: Db, partner: PartnerRow, input: Partial<Pick<PartnerRow, "name" | "email" | "coupon" | "status">> & { profile?: Partial<LeadProfile> | undefined },
): Promise<Outcome<PartnerRow>> {
  const { profile, ...fields } = input;
  const changes = profile ? { ...fields, ...profileColumns(partner, profile) } : fields;
  try {
    const updated = await updatePartner(db, partner.id, changes);
    return updated ? ok(updated) : conflict("this partner was removed meanwhile");
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

/** A partner changes its own lead profile (PATCH /api/v1/me). */
export const changeOwnProfile = (db: Db, partner: PartnerRow, profile: Partial<LeadProfile>) => changePartner(db, partner, { profile });
