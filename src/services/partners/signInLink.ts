import type { Db } from "../../db/client";
import { queueMailStatement } from "../../db/queries/mail";
import type { PartnerRow } from "../../db/queries/partners";
import type { ProgramRow } from "../../db/queries/programs";
import { signInLinkStatement } from "../../db/queries/sessions";
import { hashApiKey } from "../../domain/ids";
import { signInMail } from "../../domain/mail";

export const SIGN_IN_LINK_TTL_MS = 72 * 3_600_000;

/**
 * A one-time portal sign-in link for a partner (72 h), e-mailed to the partner in the same
 * write (the mail job sends it; without SMTP it waits in the dashboard's outbox). Only the
 * token's hash is stored with the link; the URL is built from the public URL, never a Host.
 */
export async function issueSignInLink(db: Db, publicUrl: string, program: ProgramRow, partner: PartnerRow, now: number): Promise<string> {
  const bytes = new Uint8Array(32);
  crypto.getRandomValues(bytes);
  const token = Buffer.from(bytes).toString("base64url");
  const hash = hashApiKey(token);
  const url = `${publicUrl}/portal/signin?token=${token}`;
  await db.batch([
    signInLinkStatement(db, { hash, vendorId: program.vendorId, programId: program.id, partnerId: partner.id, createdAt: now, expiresAt: now + SIGN_IN_LINK_TTL_MS }),
    queueMailStatement(db, { ...signInMail(partner.name, program.name, url), vendorId: program.vendorId, programId: program.id, to: partner.email, dedupeKey: `signin:${hash}` }, now),
  ]);
  return url;
}
