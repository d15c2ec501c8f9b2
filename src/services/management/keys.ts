import type { Db } from "../../db/client";
import { insertVendorKey, revokeVendorKey, rotatePartnerKey, rotateProgramKey } from "../../db/queries/keys";
import { publicKeySettingKey, putSetting } from "../../db/queries/settings";
import type { PartnerRow } from "../../db/queries/partners";
import type { ProgramRow } from "../../db/queries/programs";
import { rotationGraceMs } from "../../domain/keys";
import { conflict, missing, ok, type Outcome } from "../outcome";

/** A program's new postback or public key (shown once); the old one works for the grace period. */
export async function rotateProgramKeyOf(db: Db, program: ProgramRow, kind: "postback" | "public", graceHours: number | undefined, now: number) {
  const graceMs = rotationGraceMs(kind, graceHours);
  const key = await rotateProgramKey(db, program, kind, graceMs, now);
  // the snippet the settings page shows carries the public key: show the new one from now on
  if (kind === "public") await putSetting(db, publicKeySettingKey(program.id), key);
  return { key, expiresOldAt: now + graceMs };
}

/** A partner's new key (shown once); the old one stops at once. */
export async function rotatePartnerKeyOf(db: Db, program: ProgramRow, partner: PartnerRow, now: number): Promise<string> {
  return rotatePartnerKey(db, { id: partner.id, programId: partner.programId, vendorId: program.vendorId }, now);
}

/** Another admin key for the vendor (shown once). */
export async function createVendorKey(db: Db, vendorId: string, name: string, now: number) {
  return insertVendorKey(db, vendorId, name, now);
}

/** Revokes an admin key at once; never the vendor's last one (it would lock the vendor out). */
export async function revokeAdminKey(db: Db, vendorId: string, keyId: string, now: number): Promise<Outcome<{ id: string }>> {
  const result = await revokeVendorKey(db, vendorId, keyId, now);
  if (result === "not_found") return missing("key");
  if (result === "last_key") return conflict("this is the vendor's last admin key: create another one before revoking it");
  return ok({ id: keyId });
}
