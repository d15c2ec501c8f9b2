import type { Db } from "../../db/client";
import { isUniqueViolationOf } from "../../db/errors";
import { announcementRecipients } from "../../db/queries/announcements";
import { queueMailStatement } from "../../db/queries/mail";
import type { ProgramRow } from "../../db/queries/programs";
import { agreementMail } from "../../domain/mail";
import { currentAgreement, insertAcceptance, insertAgreement, nextAgreementVersion, type AcceptanceRow, type AgreementRow } from "../../db/queries/agreements";
import type { PartnerRow } from "../../db/queries/partners";
import { MAX_AGREEMENT_BYTES } from "../../domain/agreements";
import { conflict, invalidInput, ok, type Outcome } from "../outcome";

/**
 * Publishes a new version of the program's agreement; it is current at once. The same
 * transaction queues a mail to every approved partner asking them to accept it in the portal.
 */
export async function publishAgreement(db: Db, program: ProgramRow, input: { title: string; body: string }, now: number, publicUrl: string): Promise<Outcome<AgreementRow>> {
  if (new TextEncoder().encode(input.body).length > MAX_AGREEMENT_BYTES) return invalidInput("body", `is limited to ${MAX_AGREEMENT_BYTES} bytes`);
  const recipients = await announcementRecipients(db, program.id, null);
  for (let attempt = 0; ; attempt++) {
    const version = await nextAgreementVersion(db, program.id);
    const mails = (agreementId: string) => recipients.map((p) => queueMailStatement(db, {
      ...agreementMail(p.name, program.name, version, `${publicUrl}/portal`), vendorId: program.vendorId, programId: program.id, to: p.email, dedupeKey: `agreement:${agreementId}:${p.id}`,
    }, now));
    try {
      return ok(await insertAgreement(db, program.id, { ...input, version }, now, mails));
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
