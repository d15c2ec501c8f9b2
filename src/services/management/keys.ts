import type { Db } from "../../db/client";
import { issuePublicKey } from "../../db/queries/dashboard";
import type { EventInput } from "../../db/queries/events";
import { insertVendorKey, revokeVendorKey, rotatePartnerKey, rotateProgramKey } from "../../db/queries/keys";
import { publicKeySettingKey, putSetting } from "../../db/queries/settings";
import type { PartnerRow } from "../../db/queries/partners";
import type { ProgramRow } from "../../db/queries/programs";
import type { Actor, Changes } from "../../domain/audit";
import { rotationGraceMs } from "../../domain/keys";
import { conflict, missing, ok, type Outcome } from "../outcome";

/**
 * The audit event of a key change: the key by its row id only. Neither the key, its hash nor its
 * prefix (the prefix is the start of the secret) goes into the event.
 */
const keyEvent = (vendorId: string, programId: string | null, actor: Actor, action: string, changes: Changes) => (keyId: string): EventInput => ({
  vendorId, programId, action, actor, object: { type: "key", id: keyId }, changes,
});

/** A program's new postback or public key (shown once); the old one works for the grace period. */
export async function rotateProgramKeyOf(db: Db, program: ProgramRow, kind: "postback" | "public", graceHours: number | undefined, now: number, actor: Actor) {
  const graceMs = rotationGraceMs(kind, graceHours);
  const event = keyEvent(program.vendorId, program.id, actor, "key.rotate", { kind: [null, kind], graceHours: [null, graceMs / 3_600_000] });
  const key = await rotateProgramKey(db, program, kind, graceMs, now, event);
  // the snippet the settings page shows carries the public key: show the new one from now on
  if (kind === "public") await putSetting(db, publicKeySettingKey(program.id), key);
  return { key, expiresOldAt: now + graceMs };
}

/** A partner's new key (shown once); the old one stops at once. */
export async function rotatePartnerKeyOf(db: Db, program: ProgramRow, partner: PartnerRow, now: number, actor: Actor): Promise<string> {
  const event = keyEvent(program.vendorId, program.id, actor, "key.rotate", { kind: [null, "partner"], partnerId: [null, partner.id] });
  return rotatePartnerKey(db, { id: partner.id, programId: partner.programId, vendorId: program.vendorId }, now, event);
}

/** Another admin key for the vendor (shown once). */
export async function createVendorKey(db: Db, vendorId: string, name: string, now: number, actor: Actor) {
  return insertVendorKey(db, vendorId, name, now, keyEvent(vendorId, null, actor, "key.create", { kind: [null, "vendor"], name: [null, name] }));
}

/** Another public key for the program's snippet (the dashboard's "get the snippet"). */
export async function issueSnippetKey(db: Db, program: ProgramRow, actor: Actor, now: number): Promise<string> {
  return issuePublicKey(db, { vendorId: program.vendorId, programId: program.id }, now, keyEvent(program.vendorId, program.id, actor, "key.create", { kind: [null, "public"] }));
}

/** Revokes an admin key at once; never the vendor's last one (it would lock the vendor out). */
export async function revokeAdminKey(db: Db, vendorId: string, keyId: string, now: number, actor: Actor): Promise<Outcome<{ id: string }>> {
  const result = await revokeVendorKey(db, vendorId, keyId, now, keyEvent(vendorId, null, actor, "key.revoke", { revoked: [false, true] })(keyId));
  if (result === "not_found") return missing("key");
  if (result === "last_key") return conflict("this is the vendor's last admin key: create another one before revoking it");
  return ok({ id: keyId });
}
