import type { Db } from "../../db/client";
import { announcementRecipients, insertAnnouncement, type AnnouncementRow } from "../../db/queries/announcements";
import { eventInsert } from "../../db/queries/events";
import { queueMailStatement } from "../../db/queries/mail";
import type { ProgramRow } from "../../db/queries/programs";
import { listTiers } from "../../db/queries/tiers";
import { announcementObject, distinctTierIds } from "../../domain/announcements";
import type { Actor } from "../../domain/audit";
import { newId } from "../../domain/ids";
import { announcementMail } from "../../domain/mail";
import { invalidInput, ok, type Outcome } from "../outcome";

/**
 * Publishes an announcement to the program's partners (all, or those in `tierIds`). One
 * transaction writes it, its `announcement.published` event (also the manager's audit entry)
 * and one mail per approved partner it reaches.
 */
export async function publishAnnouncement(
  db: Db, program: ProgramRow, input: { title: string; body: string; tierIds?: string[] | undefined }, actor: Actor, now: number,
): Promise<Outcome<AnnouncementRow>> {
  const tierIds = distinctTierIds(input.tierIds);
  if (tierIds) {
    const known = new Set((await listTiers(db, program.id)).map((t) => t.id));
    const unknown = tierIds.findIndex((id) => !known.has(id));
    if (unknown >= 0) return invalidInput(`tierIds.${unknown}`, `no tier ${tierIds[unknown]} in this program`);
  }
  const row: AnnouncementRow = { id: newId("ann"), programId: program.id, title: input.title.trim(), body: input.body, tierIds, createdAt: now };
  const recipients = await announcementRecipients(db, program.id, tierIds);
  const event = eventInsert(db, {
    vendorId: program.vendorId, programId: program.id, type: "announcement.published", action: "announcement.publish", actor,
    object: { type: "announcement", id: row.id }, data: announcementObject(row),
  }, now);
  const mails = recipients.map((p) => queueMailStatement(db, {
    ...announcementMail(p.name, program.name, row.title, row.body), vendorId: program.vendorId, programId: program.id, to: p.email, dedupeKey: `announcement:${row.id}:${p.id}`,
  }, now));
  return ok(await insertAnnouncement(db, row, [event, ...mails]));
}
