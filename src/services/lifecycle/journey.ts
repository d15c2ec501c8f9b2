import type { Db } from "../../db/client";
import { partnerJourney } from "../../db/queries/journey";
import { allProgramPartners, type PartnerRow } from "../../db/queries/partners";
import { decodeCursor, toPage, type PageRequest } from "../../db/queries/pagination";
import { partnerStage, type PartnerStage } from "../../domain/stages";

/**
 * A page of the program's partners in a journey stage. The stage is computed, not stored, so
 * the filter runs over the program's journey facts (one query) and pages in memory, newest first.
 */
export async function partnersInStage(db: Db, programId: string, stage: PartnerStage, page: PageRequest, now: number) {
  const [all, journey] = await Promise.all([allProgramPartners(db, programId), partnerJourney(db, programId, now)]);
  const inStage = new Set(journey.filter((j) => partnerStage(j.facts).stage === stage).map((j) => j.id));
  const after = decodeCursor(page.cursor);
  const rows: PartnerRow[] = all.filter((p) => inStage.has(p.id) && (!after || p.createdAt < after.createdAt || (p.createdAt === after.createdAt && p.id < after.id)));
  return toPage(rows.slice(0, page.limit + 1), page.limit);
}
