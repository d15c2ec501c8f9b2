import type { Db } from "../../db/client";
import { partnerJourney } from "../../db/queries/journey";
import type { PartnerRow } from "../../db/queries/partners";
import { partnerStage } from "../../domain/stages";
import { partnerJson } from "./present";

/** Partners as JSON with their computed journey stage and its reason (one query for the lot). */
export async function partnersWithStage(db: Db, programId: string, list: PartnerRow[], now: number) {
  const journey = new Map((await partnerJourney(db, programId, now, { ids: list.map((p) => p.id) })).map((j) => [j.id, j]));
  return list.map((p) => {
    const j = journey.get(p.id);
    const s = j ? partnerStage(j.facts) : { stage: "recruitment" as const, stageReason: "approved, no attributed conversion yet" };
    return { ...partnerJson(p), ...s };
  });
}

export async function partnerWithStage(db: Db, p: PartnerRow, now: number) {
  return (await partnersWithStage(db, p.programId, [p], now))[0]!;
}
