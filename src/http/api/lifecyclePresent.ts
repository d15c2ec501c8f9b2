import type { Db } from "../../db/client";
import { partnerJourney } from "../../db/queries/journey";
import type { PartnerRow } from "../../db/queries/partners";
import { partnerStage } from "../../domain/stages";
import { partnerJson } from "./present";
import { badgeToken } from "../../domain/badge";

/** Partners as JSON with their computed journey stage and its reason (one query for the lot). */
/** Where a partner's badge lives (approved partners; built from AFFLUX_PUBLIC_URL). */
export function badgeUrls(p: PartnerRow, badge: { publicUrl: string; secret: string } | undefined) {
  if (!badge || p.status !== "approved") return {};
  const token = badgeToken(badge.secret, p.id);
  return { badgeUrl: `${badge.publicUrl}/badge/${token}.svg`, verifyUrl: `${badge.publicUrl}/badge/${token}` };
}

export async function partnersWithStage(db: Db, programId: string, list: PartnerRow[], now: number, badge?: { publicUrl: string; secret: string }) {
  const journey = new Map((await partnerJourney(db, programId, now, { ids: list.map((p) => p.id) })).map((j) => [j.id, j]));
  return list.map((p) => {
    const j = journey.get(p.id);
    const s = j ? partnerStage(j.facts) : { stage: "recruitment" as const, stageReason: "approved, no attributed conversion yet" };
    return { ...partnerJson(p), ...s, ...badgeUrls(p, badge) };
  });
}

export async function partnerWithStage(db: Db, p: PartnerRow, now: number, badge?: { publicUrl: string; secret: string }) {
  return (await partnersWithStage(db, p.programId, [p], now, badge))[0]!;
}
