import { getTableColumns, is, SQL, sql } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Db } from "../client";

/**
 * `INSERT INTO t (…) SELECT … WHERE <guard>`: a row written only if the guard holds when the
 * statement runs (the batch's first change won: an application claimed, a lead's token still
 * ours), so that a batch writes its follow-ups atomically without an interactive transaction.
 * Values go through the columns' own mapping (JSON columns, booleans) as drizzle's insert would.
 */
export function insertWhere(db: Db, table: SQLiteTable, row: Record<string, unknown>, guard: SQL) {
  const cols = Object.entries(getTableColumns(table)).filter(([key]) => row[key] !== undefined);
  const names = sql.raw(cols.map(([, c]) => `"${c.name}"`).join(", "));
  const values = sql.join(cols.map(([key, c]) => (is(row[key], SQL) ? row[key] : sql`${c.mapToDriverValue(row[key])}`)), sql`, `);
  return db.run(sql`INSERT INTO ${table} (${names}) SELECT ${values} WHERE ${guard}`);
}
