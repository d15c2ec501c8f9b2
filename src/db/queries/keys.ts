import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "../client";
import { apiKeys, vendors, type ApiKeyKind } from "../schema";
import { hashApiKey, newApiKey, newId, type KeyKind } from "../../domain/ids";
import { tablesChanged } from "../changes";

export interface KeyScope {
  kind: ApiKeyKind;
  vendorId: string;
  programId: string | null;
  partnerId: string | null;
}

/** A new key and the row that stores its hash; the key itself is returned once, never stored. */
export function newKeyRow(kind: KeyKind, scope: Omit<KeyScope, "kind">, now: number) {
  const key = newApiKey(kind);
  const row = { id: newId("key"), hash: hashApiKey(key), prefix: key.slice(0, 12), kind, ...scope, createdAt: now };
  return { key, row };
}

export async function findKeyScope(db: Db, key: string): Promise<KeyScope | null> {
  const [row] = await db
    .select({ kind: apiKeys.kind, vendorId: apiKeys.vendorId, programId: apiKeys.programId, partnerId: apiKeys.partnerId })
    .from(apiKeys)
    .where(and(eq(apiKeys.hash, hashApiKey(key)), isNull(apiKeys.revokedAt)));
  return row ?? null;
}

export async function insertVendor(db: Db, name: string, now: number) {
  const id = newId("ven");
  const { key, row } = newKeyRow("vendor", { vendorId: id, programId: null, partnerId: null }, now);
  await db.batch([db.insert(vendors).values({ id, name, createdAt: now }), db.insert(apiKeys).values(row)]);
  tablesChanged();
  return { id, name, apiKey: key };
}
