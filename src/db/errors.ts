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
