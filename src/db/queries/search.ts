import { or, sql, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";

/**
 * `?q=` of the partner and link lists: a case-insensitive substring of any of the columns.
 * `%`, `_` and `\` in the search are literal (escaped), so "50%" finds "50%", not everything.
 */
export function textSearch(q: string | undefined, columns: SQLiteColumn[]): SQL | undefined {
  const term = q?.trim();
  if (!term) return undefined;
  const pattern = `%${term.toLowerCase().replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
  return or(...columns.map((col) => sql`lower(${col}) LIKE ${pattern} ESCAPE '\\'`));
}
