/**
 * True when a write failed on a UNIQUE constraint. drizzle wraps driver errors (the message is
 * then "Failed query: …"), so the cause chain is searched too.
 */
export function isUniqueViolation(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const message = String((e as { message?: unknown }).message ?? e);
    const code = String((e as { code?: unknown }).code ?? "");
    if (/UNIQUE constraint failed/i.test(message) || code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY") return true;
  }
  return false;
}

/**
 * True when a write failed on a UNIQUE constraint that covers `table.column`: SQLite names the
 * columns ("UNIQUE constraint failed: partners.program_id, partners.email_key"), so a table
 * with several unique keys can tell which one refused.
 */
export function isUniqueViolationOf(err: unknown, column: string): boolean {
  if (!isUniqueViolation(err)) return false;
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (String((e as { message?: unknown }).message ?? e).includes(column)) return true;
  }
  return false;
}

/** True when a write gave up waiting for another connection's lock (SQLITE_BUSY). */
export function isBusy(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = String((e as { code?: unknown }).code ?? "");
    if (code.startsWith("SQLITE_BUSY") || /database is locked/i.test(String((e as { message?: unknown }).message ?? ""))) return true;
  }
  return false;
}
