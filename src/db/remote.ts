import { createClient, type Client } from "@libsql/client/web";
import { drizzle } from "drizzle-orm/libsql/web";
import type { Db } from "./client";
import * as schema from "./schema";

/**
 * A remote libSQL database (Turso, sqld, the local Hrana endpoint) over HTTP with `fetch` only:
 * no native driver, no node:fs, so it runs on Workers. Same `Db` type as `openDatabase`.
 *
 * @example const { db } = openRemoteDatabase(env.DATABASE_URL, env.DATABASE_AUTH_TOKEN);
 */
export function openRemoteDatabase(url: string, authToken?: string): { client: Client; db: Db } {
  const client = createClient({ url, authToken: authToken || undefined });
  return { client, db: drizzleOver(client) };
}

/** The same drizzle database over any @libsql/client `Client` (e.g. a caching wrapper). */
export function drizzleOver(client: Client): Db {
  return drizzle(client, { schema });
}
