import { and, desc, eq, lt, or, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";

export interface PageRequest {
  limit: number;
  cursor: string | null;
}
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/** Opaque cursor: the (createdAt, id) of the last row of the previous page. */
export function decodeCursor(cursor: string | null): { createdAt: number; id: string } | null {
  if (!cursor) return null;
  const [ts, id] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  const createdAt = Number(ts);
  return Number.isSafeInteger(createdAt) && id ? { createdAt, id } : null;
}

function encodeCursor(createdAt: number, id: string): string {
  return Buffer.from(`${createdAt}|${id}`).toString("base64url");
}

/** Keyset pagination newest first; stable under inserts, no OFFSET scans. */
export function pageWhere(createdAt: SQLiteColumn, id: SQLiteColumn, cursor: string | null): SQL | undefined {
  const c = decodeCursor(cursor);
  if (!c) return undefined;
  return or(lt(createdAt, c.createdAt), and(eq(createdAt, c.createdAt), lt(id, c.id)));
}

export function pageOrder(createdAt: SQLiteColumn, id: SQLiteColumn): SQL[] {
  return [desc(createdAt), desc(id)];
}

/** Callers fetch limit + 1 rows; the extra one only tells whether there is a next page. */
export function toPage<T extends { createdAt: number; id: string }>(rows: T[], limit: number): Page<T> {
  const data = rows.slice(0, limit);
  const last = data[data.length - 1];
  return { data, nextCursor: rows.length > limit && last ? encodeCursor(last.createdAt, last.id) : null };
}

/**
 * Every page of a keyset list, one after another: exports read all matching rows this way, one
 * page in memory at a time, without OFFSET scans.
 */
export async function* eachPage<T>(fetch: (page: PageRequest) => Promise<Page<T>>, limit = 500): AsyncGenerator<T[]> {
  let cursor: string | null = null;
  do {
    const page: Page<T> = await fetch({ limit, cursor });
    yield page.data;
    cursor = page.nextCursor;
  } while (cursor);
}
