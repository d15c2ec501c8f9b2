import type { Db } from "../../db/client";
import { isUniqueViolationOf } from "../../db/errors";
import {
  approveApplicationRow, emailKnown, getApplication, insertApplication, newApplicationRow, rejectApplicationRow, type ApplicationRow,
} from "../../db/queries/applications";
import { getProgramPartner, type PartnerRow } from "../../db/queries/partners";
import { entryTierId, type ProgramRow } from "../../db/queries/programs";
import { autoApproves, keptAnswers, missingAnswer } from "../../domain/applications";
import { hashApiKey } from "../../domain/ids";
import { conflict, invalidInput, missing, ok, type Outcome } from "../outcome";

/** A portal sign-in link works once, for 72 hours (as the dashboard's). */
export const SIGN_IN_LINK_TTL_MS = 72 * 3_600_000;
const EMAIL_TAKEN = "this email already has an application or a partner in this program";

export interface ApplicationInput {
  name: string; email: string; website?: string | undefined; country?: string | undefined;
  answers?: Record<string, string> | undefined; source?: string | undefined; referredBy?: string | undefined;
}

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
 * A new application (public form or API). Required questions must be answered, the referrer must
 * be a partner of this program, and an email already known to the program (application or
 * partner, any case) is a conflict. When the program's rules approve it, the partner is created
 * in the same transaction (`status: "approved"`).
 */
export async function submitApplication(db: Db, program: ProgramRow, input: ApplicationInput, now: number): Promise<Outcome<{ application: ApplicationRow; partner: PartnerRow | null }>> {
  const settings = program.applications;
  if (!settings.enabled) return missing("application form (this program takes no applications)");
  const answers = input.answers ?? {};
  const unanswered = missingAnswer(settings.questions, answers);
  if (unanswered) return invalidInput(`answers.${unanswered.id}`, `"${unanswered.label}" needs an answer`);
  if (input.referredBy && !(await getProgramPartner(db, program.id, input.referredBy))) return invalidInput("referredBy", "is not a partner of this program");
  if (await emailKnown(db, program.id, input.email)) return conflict(EMAIL_TAKEN);
  const row = newApplicationRow({
    programId: program.id, name: input.name.trim(), email: input.email.trim(), website: input.website?.trim() || null, country: input.country?.toUpperCase() ?? null,
    answers: keptAnswers(settings.questions, answers), source: input.source?.trim() || null, referredBy: input.referredBy ?? null,
  }, now);
  try {
    if (autoApproves(settings.autoApprove, { email: row.email, country: row.country })) {
      const done = await approveApplicationRow(db, row, { tierId: await entryTierId(db, program.id), vendorId: program.vendorId, signIn: null }, now, { insert: true });
      if (done) return ok(done);
    }
    return ok({ application: await insertApplication(db, row), partner: null });
  } catch (err) {
    // the same email submitted twice at once, or a manager added the partner meanwhile
    if (isUniqueViolationOf(err, "email_key")) return conflict(EMAIL_TAKEN);
    throw err;
  }
}

/** Approves a pending application: the partner in the entry tier (source and referrer kept) and a one-time sign-in link. */
export async function approveApplication(db: Db, program: ProgramRow, app: ApplicationRow, publicUrl: string, now: number): Promise<Outcome<{ application: ApplicationRow; partner: PartnerRow; signInUrl: string }>> {
  if (app.status !== "pending") return conflict(`this application was already ${app.status}`);
  const link = newSignInToken(now);
  try {
    const done = await approveApplicationRow(db, app, { tierId: await entryTierId(db, program.id), vendorId: program.vendorId, signIn: { hash: link.hash, expiresAt: link.expiresAt } }, now);
    if (!done) return conflict(`this application was already ${(await getApplication(db, app.id))?.status ?? "decided"}`);
    return ok({ ...done, signInUrl: signInUrlOf(publicUrl, link.token) });
  } catch (err) {
    if (isUniqueViolationOf(err, "email_key")) return conflict("a partner of this program already has this email");
    throw err;
  }
}

export async function rejectApplication(db: Db, app: ApplicationRow, reason: string | null, now: number): Promise<Outcome<ApplicationRow>> {
  if (app.status !== "pending") return conflict(`this application was already ${app.status}`);
  const row = await rejectApplicationRow(db, app.id, reason, now);
  return row ? ok(row) : conflict("this application was decided meanwhile");
}
