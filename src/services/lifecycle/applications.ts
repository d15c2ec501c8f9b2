import type { Db } from "../../db/client";
import { isUniqueViolationOf } from "../../db/errors";
import {
  approveApplicationRow, emailKnown, getApplication, insertApplication, newApplicationRow, rejectApplicationRow, type ApplicationRow,
} from "../../db/queries/applications";
import { getProgramPartner, type PartnerRow } from "../../db/queries/partners";
import { entryTierId, type ProgramRow } from "../../db/queries/programs";
import { autoApproves, keptAnswers, missingAnswer } from "../../domain/applications";
import { newSignInToken, signInUrlOf } from "../partners/signInLink";
import { conflict, invalidInput, missing, ok, type Outcome } from "../outcome";
import { SYSTEM_ACTOR, type Actor } from "../../domain/audit";
import { applicationApprovedMail, applicationReceivedMail, applicationRejectedMail } from "../../domain/mail";
import { eventInsert, PREVIOUS_CHANGED } from "../../db/queries/events";
import { queueMailStatement, queueMailWhere } from "../../db/queries/mail";
import type { SQL } from "drizzle-orm";

const applicationObject = (id: string) => ({ type: "application", id });

/**
 * What an approval writes beside the partner, in its transaction (only if the claim won): the
 * audit entry, partner.created, and the welcome mail with the sign-in link.
 */
function approvalFollowUps(db: Db, program: ProgramRow, app: ApplicationRow, actor: Actor, signInUrl: string, now: number) {
  return (partnerId: string, claimed: SQL) => [
    eventInsert(db, { vendorId: program.vendorId, programId: program.id, action: "application.approve", actor, object: applicationObject(app.id), changes: { status: ["pending", "approved"], partnerId: [null, partnerId] } }, now, claimed),
    eventInsert(db, { vendorId: program.vendorId, programId: program.id, type: "partner.created", actor, object: { type: "partner", id: partnerId }, data: { id: partnerId, programId: program.id, name: app.name, email: app.email, status: "approved", source: app.source, referredBy: app.referredBy } }, now, claimed),
    queueMailWhere(db, { ...applicationApprovedMail(app.name, program.name, signInUrl), vendorId: program.vendorId, programId: program.id, to: app.email, dedupeKey: `application.approved:${app.id}` }, now, claimed),
  ];
}

const EMAIL_TAKEN = "this email already has an application or a partner in this program";

export interface ApplicationInput {
  name: string; email: string; website?: string | undefined; country?: string | undefined;
  answers?: Record<string, string> | undefined; source?: string | undefined; referredBy?: string | undefined;
}

/**
 * A new application (public form or API). Required questions must be answered, the referrer must
 * be a partner of this program, and an email already known to the program (application or
 * partner, any case) is a conflict. When the program's rules approve it, the partner is created
 * in the same transaction (`status: "approved"`).
 */
export async function submitApplication(
  db: Db, program: ProgramRow, input: ApplicationInput, now: number, publicUrl = "",
): Promise<Outcome<{ application: ApplicationRow; partner: PartnerRow | null }>> {
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
    const created = eventInsert(db, { vendorId: program.vendorId, programId: program.id, type: "application.created", actor: SYSTEM_ACTOR, object: applicationObject(row.id), data: { id: row.id, programId: program.id, name: row.name, email: row.email, status: "pending", source: row.source } }, now);
    if (autoApproves(settings.autoApprove, { email: row.email, country: row.country })) {
      const link = newSignInToken(now);
      const also = approvalFollowUps(db, program, row, SYSTEM_ACTOR, signInUrlOf(publicUrl, link.token), now);
      const signIn = { hash: link.hash, expiresAt: link.expiresAt };
      const done = await approveApplicationRow(db, row, { tierId: await entryTierId(db, program.id), vendorId: program.vendorId, signIn }, now, { insert: true, also: (id, claimed) => [created, ...also(id, claimed)] });
      if (done) return ok(done);
    }
    const receipt = queueMailStatement(db, { ...applicationReceivedMail(row.name, program.name), vendorId: program.vendorId, programId: program.id, to: row.email, dedupeKey: `application.received:${row.id}` }, now);
    return ok({ application: await insertApplication(db, row, [created, receipt]), partner: null });
  } catch (err) {
    // the same email submitted twice at once, or a manager added the partner meanwhile
    if (isUniqueViolationOf(err, "email_key")) return conflict(EMAIL_TAKEN);
    throw err;
  }
}

/** Approves a pending application: the partner in the entry tier (source and referrer kept) and a one-time sign-in link. */
export async function approveApplication(
  db: Db, program: ProgramRow, app: ApplicationRow, publicUrl: string, now: number, actor: Actor = SYSTEM_ACTOR,
): Promise<Outcome<{ application: ApplicationRow; partner: PartnerRow; signInUrl: string }>> {
  if (app.status !== "pending") return conflict(`this application was already ${app.status}`);
  const link = newSignInToken(now);
  try {
    const also = approvalFollowUps(db, program, app, actor, signInUrlOf(publicUrl, link.token), now);
    const done = await approveApplicationRow(db, app, { tierId: await entryTierId(db, program.id), vendorId: program.vendorId, signIn: { hash: link.hash, expiresAt: link.expiresAt } }, now, { also });
    if (!done) return conflict(`this application was already ${(await getApplication(db, app.id))?.status ?? "decided"}`);
    return ok({ ...done, signInUrl: signInUrlOf(publicUrl, link.token) });
  } catch (err) {
    if (isUniqueViolationOf(err, "email_key")) return conflict("a partner of this program already has this email");
    throw err;
  }
}

/** Rejects a pending application, with the audit entry and the applicant's mail in the same write. */
export async function rejectApplication(
  db: Db, app: ApplicationRow, reason: string | null, now: number, program: ProgramRow, actor: Actor,
): Promise<Outcome<ApplicationRow>> {
  if (app.status !== "pending") return conflict(`this application was already ${app.status}`);
  // (each follow-up runs only if the statement before it wrote: the update, then the event)
  const also = [
    eventInsert(db, { vendorId: program.vendorId, programId: program.id, action: "application.reject", actor, object: applicationObject(app.id), changes: { status: ["pending", "rejected"], reason: [null, reason] } }, now, PREVIOUS_CHANGED),
    queueMailWhere(db, { ...applicationRejectedMail(app.name, program.name, reason), vendorId: program.vendorId, programId: program.id, to: app.email, dedupeKey: `application.rejected:${app.id}` }, now, PREVIOUS_CHANGED),
  ];
  const row = await rejectApplicationRow(db, app.id, reason, now, also);
  return row ? ok(row) : conflict("this application was decided meanwhile");
}
