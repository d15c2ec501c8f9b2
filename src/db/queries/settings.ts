import { eq } from "drizzle-orm";
import type { Db } from "../client";
import { settings } from "../schema";

/** Returns the stored value, storing `create()` first when absent (the first writer wins). */
export async function getOrCreateSetting(db: Db, key: string, create: () => string): Promise<string> {
  await db.insert(settings).values({ key, value: create() }).onConflictDoNothing();
  const [row] = await db.select().from(settings).where(eq(settings.key, key));
  if (!row) throw new Error(`setting ${key} could not be stored`);
  return row.value;
}

/** The stored value, or null when the key was never set. */
export async function getSetting(db: Db, key: string): Promise<string | null> {
  const [row] = await db.select().from(settings).where(eq(settings.key, key));
  return row?.value ?? null;
}

/** Stores a value, replacing what was there. */
export async function putSetting(db: Db, key: string, value: string): Promise<void> {
  await db.insert(settings).values({ key, value }).onConflictDoUpdate({ target: settings.key, set: { value } });
}

/**
 * Where a program's current public key is remembered for the snippet the dashboard shows (it is
 * not secret: it sits in the vendor's pages; every other key is stored only as a hash).
 */
export const publicKeySettingKey = (programId: string) => `public_key:${programId}`;
