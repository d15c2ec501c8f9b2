import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { openDatabase, type Database } from "./db/client";
import { applyMigrations } from "./db/migrate";
import { getOrCreateSetting } from "./db/queries/settings";

/** Opens and migrates the database, and settles the server secret (env, else generated once and kept). */
export async function openAndMigrate(url: string, authToken?: string, envSecret?: string): Promise<{ database: Database; secret: string }> {
  const path = url.startsWith("file:") ? url.slice(5).split("?")[0]! : null;
  if (path && path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const database = await openDatabase(url, authToken);
  await applyMigrations(database.db);
  const secret = envSecret ?? (await getOrCreateSetting(database.db, "afflux_secret", () => randomBytes(32).toString("base64url")));
  return { database, secret };
}
