import type { Db } from "../../db/client";
import { queueMailStatement } from "../../db/queries/mail";
import type { PartnerRow } from "../../db/queries/partners";
import type { ProgramRow } from "../../db/queries/programs";
import { signInLinkStatement } from "../../db/queries/sessions";
import { hashApiKey } from "../../domain/ids";
import { signInMail } from "../../domain/mail";

/** A portal sign-in link works once, for 72 hours. */
export const SIGN_IN_LINK_TTL_MS = 72 * 3_600_000;

/** A one-time portal sign-in token: the raw one for the URL, its hash for storage. */
export function newSignInToken(now: number) {
  const bytes = new Uint8Array(32);
  crypto.getRandomValues(bytes);
  const token = Buffer.from(bytes).toString("base64url");
  return { token, hash: hashApiKey(token), expiresAt: now + SIGN_IN_LINK_TTL_MS };
}

/** The portal sign-in URL of a token, from AFFLUX_PUBLIC_URL (never the request's Host). */
export const signInUrlOf = (publicUrl: string, token: string) => `${publicUrl}/portal/signin?token=${token}`;

/**
 * A one-time portal sign-in link for a partner, e-mailed to the partner in the same write (the
 * mail job sends it; without SMTP it waits in the dashboard's outbox). Only the token's hash is
 * stored with the link.
 */
export async function issueSignInLink(db: Db, publicUrl: string, program: ProgramRow, partner: PartnerRow, now: number): Promise<string> {
  const link = newSignInToken(now);
  const url = signInUrlOf(publicUrl, link.token);
  await db.batch([
    signInLinkStatement(db, { hash: link.hash, vendorId: program.vendorId, programId: program.id, partnerId: partner.id, createdAt: now, expiresAt: link.expiresAt }),
    queueMailStatement(db, { ...signInMail(partner.name, program.name, url), vendorId: program.vendorId, programId: program.id, to: partner.email, dedupeKey: `signin:${link.hash}` }, now),
  ]);
  return url;
}
