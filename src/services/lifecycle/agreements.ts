import type { Db } from "../../db/client";
import { isUniqueViolationOf } from "../../db/errors";
import { currentAgreement, insertAcceptance, insertAgreement, type AcceptanceRow, type AgreementRow } from "../../db/queries/agreements";
import type { PartnerRow } from "../../db/queries/partners";
import { MAX_AGREEMENT_BYTES } from "../../domain/agreements";
import { conflict, invalidInput, ok, type Outcome } from "../outcome";

/** Publishes a new version of the program's agreement; it is current at once. */
export async function publishAgreement(db: Db, programId: string, input: { title: string; body: string }, now: number): Promise<Outcome<AgreementRow>> {
  if (new TextEncoder().encode(input.body).length > MAX_AGREEMENT_BYTES) return invalidInput("body", `is limited to ${MAX_AGREEMENT_BYTES} bytes`);
  for (let attempt = 0; ; attempt++) {
    try {
      return ok(await insertAgreement(db, programId, input, now));
    } catch (err) {
      // another version was published at the same moment: take the next number
      if (attempt >= 3 || !isUniqueViolationOf(err, "version")) throw err;
    }
  }
}

/** A partner accepts the current version (only that one: an old or unknown version is a conflict). */
export async function acceptAgreement(db: Db, partner: PartnerRow, version: number, clientHash: string, now: number): Promise<Outcome<{ agreement: AgreementRow; acceptance: AcceptanceRow }>> {
  const current = await currentAgreement(db, partner.programId);
  if (!current) return conflict("this program has no agreement to accept");
  if (current.version !== version) return conflict(`version ${version} is not the current agreement (version ${current.version} is)`);
  const acceptance = await insertAcceptance(db, { agreementId: current.id, partnerId: partner.id, programId: partner.programId, version, acceptedAt: now, clientHash });
  return ok({ agreement: current, acceptance });
}
