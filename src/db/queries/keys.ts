import { and, desc, eq, gt, isNull, or, sql } from "drizzle-orm";
import type { Db } from "../client";
import { apiKeys, vendors, type ApiKeyKind } from "../schema";
import { hashApiKey, newApiKey, newId, type KeyKind } from "../../domain/ids";
import { tablesChanged } from "../changes";
import { eventInsert, writeWithEvent, type EventInput } from "./events";

/** The event of a key change names the key by its row id, known only once the row is drawn. */
export type KeyEvent = ((keyId: string) => EventInput) | null;

export interface KeyScope {
  kind: ApiKeyKind;
  vendorId: string;
  programId: string | null;
  partnerId: string | null;
  /** the key's row id (never its secret): who did something, for logs and the audit */
  keyId: string;
  /** a rotated key's end of grace; null while it has no end */
  expiresAt: number | null;
}

/** A new key and the row that stores its hash; the key itself is returned once, never stored. */
export function newKeyRow(kind: KeyKind, scope: Pick<KeyScope, "vendorId" | "programId" | "partnerId">, now: number, name: string | null = null) {
  const key = newApiKey(kind);
  const row = { id: newId("key"), hash: hashApiKey(key), prefix: key.slice(0, 12), kind, ...scope, createdAt: now, name };
  return { key, row };
}

/** Whether a key found earlier is still usable at `now` (a cached scope may outlive its grace period). */
export const keyLive = (scope: Pick<KeyScope, "expiresAt">, now: number) => scope.expiresAt === null || scope.expiresAt > now;

/** The scope of a key that is neither revoked nor past its grace period. */
export async function findKeyScope(db: Db, key: string, now = Date.now()): Promise<KeyScope | null> {
  const [row] = await db
    .select({ kind: apiKeys.kind, vendorId: apiKeys.vendorId, programId: apiKeys.programId, partnerId: apiKeys.partnerId, keyId: apiKeys.id, expiresAt: apiKeys.expiresAt })
    .from(apiKeys)
    .where(and(eq(apiKeys.hash, hashApiKey(key)), isNull(apiKeys.revokedAt), or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, now))));
  return row ?? null;
}

export async function insertVendor(db: Db, name: string, now: number) {
  const id = newId("ven");
  const { key, row } = newKeyRow("vendor", { vendorId: id, programId: null, partnerId: null }, now);
  await db.batch([db.insert(vendors).values({ id, name, createdAt: now }), db.insert(apiKeys).values(row)]);
  tablesChanged();
  return { id, name, apiKey: key };
}

const live = (now: number) => and(isNull(apiKeys.revokedAt), or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, now)));

/**
 * Replaces a program's postback or public key: the new one works at once, the old ones (there
 * may be several still in an earlier grace period) keep working until `now + graceMs` at the
 * latest (revoked at once when the grace is 0). One batch: never a moment without a key.
 */
export async function rotateProgramKey(db: Db, program: { id: string; vendorId: string }, kind: "postback" | "public", graceMs: number, now: number, event: KeyEvent = null): Promise<string> {
  const fresh = newKeyRow(kind, { vendorId: program.vendorId, programId: program.id, partnerId: null }, now);
  const end = now + graceMs;
  const old = and(eq(apiKeys.programId, program.id), eq(apiKeys.kind, kind), live(now));
  await db.batch([
    graceMs === 0
      ? db.update(apiKeys).set({ revokedAt: now }).where(old)
      : db.update(apiKeys).set({ expiresAt: sql`min(coalesce(${apiKeys.expiresAt}, ${end}), ${end})` }).where(old),
    db.insert(apiKeys).values(fresh.row),
    ...(event ? [eventInsert(db, event(fresh.row.id), now)] : []),
  ]);
  tablesChanged();
  return fresh.key;
}

/** A partner's new key; every older key of the partner stops at once (same batch). */
export async function rotatePartnerKey(db: Db, partner: { id: string; programId: string; vendorId: string }, now: number, event: KeyEvent = null): Promise<string> {
  const fresh = newKeyRow("partner", { vendorId: partner.vendorId, programId: partner.programId, partnerId: partner.id }, now);
  await db.batch([
    db.update(apiKeys).set({ revokedAt: now }).where(and(eq(apiKeys.partnerId, partner.id), eq(apiKeys.kind, "partner"), isNull(apiKeys.revokedAt))),
    db.insert(apiKeys).values(fresh.row),
    ...(event ? [eventInsert(db, event(fresh.row.id), now)] : []),
  ]);
  tablesChanged();
  return fresh.key;
}

/** The partner's usable key (the one a rotation replaces), by row id; null when it has none. */
export async function currentPartnerKeyId(db: Db, partnerId: string): Promise<string | null> {
  const [row] = await db
    .select({ id: apiKeys.id })
    .from(apiKeys)
    .where(and(eq(apiKeys.partnerId, partnerId), eq(apiKeys.kind, "partner"), isNull(apiKeys.revokedAt)))
    .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id))
    .limit(1);
  return row?.id ?? null;
}

export type VendorKeyRow = { id: string; name: string | null; prefix: string; createdAt: number };

/** The vendor's usable admin keys, newest first (never the secret; only its hash is stored anyway). */
export async function listVendorKeys(db: Db, vendorId: string, now: number): Promise<VendorKeyRow[]> {
  return db
    .select({ id: apiKeys.id, name: apiKeys.name, prefix: apiKeys.prefix, createdAt: apiKeys.createdAt })
    .from(apiKeys)
    .where(and(eq(apiKeys.vendorId, vendorId), eq(apiKeys.kind, "vendor"), live(now)))
    .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id));
}

export async function insertVendorKey(db: Db, vendorId: string, name: string, now: number, event: KeyEvent = null) {
  const { key, row } = newKeyRow("vendor", { vendorId, programId: null, partnerId: null }, now, name);
  await writeWithEvent(db, db.insert(apiKeys).values(row), event ? event(row.id) : null, now);
  tablesChanged();
  return { id: row.id, name, prefix: row.prefix, createdAt: now, apiKey: key };
}

/**
 * Revokes one of the vendor's admin keys unless it is the last usable one (checked in the same
 * statement, so two concurrent revocations cannot leave the vendor locked out).
 * `revoked`, `last_key`, or `not_found` (no such usable key of this vendor).
 */
export async function revokeVendorKey(db: Db, vendorId: string, keyId: string, now: number, event: EventInput | null = null): Promise<"revoked" | "last_key" | "not_found"> {
  const mine = and(eq(apiKeys.id, keyId), eq(apiKeys.vendorId, vendorId), eq(apiKeys.kind, "vendor"), live(now));
  const others = sql`(SELECT count(*) FROM api_keys o WHERE o.vendor_id = ${vendorId} AND o.kind = 'vendor' AND o.id <> ${keyId}
    AND o.revoked_at IS NULL AND (o.expires_at IS NULL OR o.expires_at > ${now}))`;
  const done = await writeWithEvent(db, db.update(apiKeys).set({ revokedAt: now }).where(and(mine, sql`${others} > 0`)).returning({ id: apiKeys.id }), event, now);
  tablesChanged();
  if (done.length === 1) return "revoked";
  const [exists] = await db.select({ id: apiKeys.id }).from(apiKeys).where(mine);
  return exists ? "last_key" : "not_found";
}

export type ProgramKeyRow = { id: string; kind: ApiKeyKind; prefix: string; createdAt: number; expiresAt: number | null };

/** A program's usable postback and public keys, newest first, with the end of a rotated key's grace. */
export async function listProgramKeys(db: Db, programId: string, now: number): Promise<ProgramKeyRow[]> {
  return db
    .select({ id: apiKeys.id, kind: apiKeys.kind, prefix: apiKeys.prefix, createdAt: apiKeys.createdAt, expiresAt: apiKeys.expiresAt })
    .from(apiKeys)
    .where(and(eq(apiKeys.programId, programId), isNull(apiKeys.partnerId), live(now)))
    .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id));
}
