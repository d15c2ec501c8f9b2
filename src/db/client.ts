import { createClient, type Client } from "@libsql/client";
import { drizzle, type LibSQLDatabase } from "drizzle-orm/libsql";
import * as schema from "./schema";

export type Db = LibSQLDatabase<typeof schema>;

export interface Database {
  client: Client;
  db: Db;
  /** local file path when the database is an embedded file, else null */
  filePath: string | null;
  close(): void;
}

/** `file:…` → its path; `:memory:` and remote URLs → null. */
export function localFilePath(url: string): string | null {
  if (!url.startsWith("file:")) return null;
  const path = url.slice("file:".length).split("?")[0]!;
  return path === ":memory:" || path === "" ? null : path;
}

/**
 * Opens the libSQL database behind DATABASE_URL: an embedded file or `:memory:` in Node,
 * Turso/sqld over `libsql:`/`http(s):` anywhere.
 */
export async function openDatabase(url: string, authToken?: string): Promise<Database> {
  const client = createClient({ url, authToken });
  const filePath = localFilePath(url);
  if (filePath) {
    // WAL lets readers (API, reports) run while the click writer commits; NORMAL is durable
    // across process crashes, which is what the click journal relies on.
    await client.execute("PRAGMA journal_mode = WAL");
    await client.execute("PRAGMA synchronous = NORMAL");
    // A write waits this long for another connection's lock, then fails as busy: a postback
    // answers 503 + Retry-After within 2 s instead of hanging (the click store has its own).
    await client.execute("PRAGMA busy_timeout = 1000");
    // settle and reports scan large indexes; SQLite's default 2 MB cache turns that into reads
    await client.execute("PRAGMA cache_size = -65536");
  }
  return { client, db: drizzle(client, { schema }), filePath, close: () => client.close() };
}

/** The libSQL client under a drizzle database, for the few hot paths that send plain SQL (group commit). */
export const clientOf = (db: Db): Client => (db as Db & { $client: Client }).$client;
