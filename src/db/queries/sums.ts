import { sql, type AnyColumn, type SQL } from "drizzle-orm";

/**
 * Sums of money leave SQLite as text and become bigint: libSQL (intMode "number") refuses any
 * integer above 2^53, and a float would round it. SQLite adds in 64-bit integers (an overflow is
 * an error, never a wrong total).
 */
export const exactSum = (expr: SQL | AnyColumn) => sql<bigint>`CAST(coalesce(sum(${expr}), 0) AS TEXT)`.mapWith(toBigInt);

/** The SQL text of an exact sum, for hand-written statements read with `db.all`. */
export const exactSumSql = (expr: SQL) => sql`CAST(coalesce(sum(${expr}), 0) AS TEXT)`;

/** An integer read from the database (text from exactSum, or a number) as bigint. */
export function toBigInt(value: unknown): bigint {
  if (typeof value === "bigint") return value;
  if (typeof value === "number" || typeof value === "string") return BigInt(value);
  return 0n;
}

/** An integer column read as text, for stored totals (payout amounts) that may exceed 2^53. */
export const exactInt = (col: AnyColumn) => sql<bigint>`CAST(${col} AS TEXT)`.mapWith(toBigInt);
