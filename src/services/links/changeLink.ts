import type { Db } from "../../db/client";
import { updateLink, type LinkRow } from "../../db/queries/links";
import type { ProgramRow } from "../../db/queries/programs";
import { checkDestination } from "../../domain/urlSafety";
import { invalidInput, ok, type Outcome } from "../outcome";

/**
 * Changes a link's destination (checked against the program's allowed domains), whether it takes
 * deep links, or archives / unarchives it (an archived link answers 404 and records nothing).
 * Callers drop the slug from the link cache afterwards.
 */
export async function changeLink(
  db: Db,
  program: ProgramRow,
  link: Pick<LinkRow, "id">,
  input: { destination?: string | undefined; allowDeepLinks?: boolean | undefined; archived?: boolean | undefined },
  now: number,
): Promise<Outcome<{ id: string }>> {
  const patch: Parameters<typeof updateLink>[2] = {};
  if (input.allowDeepLinks !== undefined) patch.allowDeepLinks = input.allowDeepLinks;
  if (input.archived !== undefined) patch.archived = input.archived;
  if (input.destination !== undefined) {
    const dest = checkDestination(input.destination, program.allowedDomains);
    if (!dest.ok) return invalidInput("destination", dest.message);
    patch.destination = dest.url;
  }
  await updateLink(db, link.id, patch, now);
  return ok({ id: link.id });
}
