import { isUniqueViolation } from "../../db/errors";
import { generatedSlug } from "../../domain/ids";
import { checkSlug } from "../../domain/slug";
import { checkDestination } from "../../domain/urlSafety";
import type { Db } from "../../db/client";
import { insertLink, slugTaken, type LinkRow } from "../../db/queries/links";
import type { ProgramRow } from "../../db/queries/programs";
import { diffChanges, type Actor } from "../../domain/audit";

export const LINK_FIELDS = ["partnerId", "slug", "destination", "allowDeepLinks", "archived"] as const;

export type CreateLinkOutcome =
  | { kind: "created"; link: LinkRow }
  | { kind: "invalid"; path: string; message: string }
  | { kind: "slug_taken" };

/** Checks slug and destination against the program, then stores the link. */
export async function createLink(
  db: Db,
  program: ProgramRow,
  input: { partnerId: string; destination: string; slug?: string | undefined; allowDeepLinks: boolean },
  now: number,
  actor: Actor,
): Promise<CreateLinkOutcome> {
  const dest = checkDestination(input.destination, program.allowedDomains);
  if (!dest.ok) return { kind: "invalid", path: "destination", message: dest.message };
  if (input.slug !== undefined) {
    const slugCheck = checkSlug(input.slug);
    if (!slugCheck.ok) return { kind: "invalid", path: "slug", message: slugCheck.message };
    if (await slugTaken(db, input.slug)) return { kind: "slug_taken" };
  }
  for (let attempt = 0; attempt < 5; attempt++) {
    const slug = input.slug ?? generatedSlug();
    try {
      const row = { programId: program.id, partnerId: input.partnerId, slug, destination: dest.url, allowDeepLinks: input.allowDeepLinks };
      const link = await insertLink(db, row, now, (id) => ({
        vendorId: program.vendorId, programId: program.id, action: "link.create", actor, object: { type: "link", id }, changes: diffChanges(null, row, LINK_FIELDS),
      }));
      return { kind: "created", link };
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      if (input.slug !== undefined) return { kind: "slug_taken" };
      // a generated slug collided (rare): draw another
    }
  }
  throw new Error("could not generate a free slug");
}
