import type { Db } from "../../db/client";
import { updateLink, type LinkRow } from "../../db/queries/links";
import type { ProgramRow } from "../../db/queries/programs";
import { diffChanges, type Actor } from "../../domain/audit";
import { checkDestination } from "../../domain/urlSafety";
import { invalidInput, ok, type Outcome } from "../outcome";
import { LINK_FIELDS } from "./createLink";

/**
 * Changes a link's destination (checked against the program's allowed domains), whether it takes
 * deep links, or archives / unarchives it (an archived link answers 404 and records nothing);
 * recorded as `link.update`, or `link.archive` when it archives the link. Callers drop the slug
 * from the link cache afterwards.
 */
export async function changeLink(
  db: Db,
  program: ProgramRow,
  link: LinkRow,
  input: { destination?: string | undefined; allowDeepLinks?: boolean | undefined; archived?: boolean | undefined },
  now: number,
  actor: Actor,
): Promise<Outcome<{ id: string }>> {
  const patch: Partial<Pick<LinkRow, "destination" | "allowDeepLinks" | "archived">> = {};
  if (input.allowDeepLinks !== undefined) patch.allowDeepLinks = input.allowDeepLinks;
  if (input.archived !== undefined) patch.archived = input.archived;
  if (input.destination !== undefined) {
    const dest = checkDestination(input.destination, program.allowedDomains);
    if (!dest.ok) return invalidInput("destination", dest.message);
    patch.destination = dest.url;
  }
  const changes = diffChanges(link, { ...link, ...patch }, LINK_FIELDS);
  const action = patch.archived === true && !link.archived ? "link.archive" : "link.update";
  const event = Object.keys(changes).length ? { vendorId: program.vendorId, programId: program.id, action, actor, object: { type: "link", id: link.id }, changes } : null;
  await updateLink(db, link.id, patch, now, event);
  return ok({ id: link.id });
}
