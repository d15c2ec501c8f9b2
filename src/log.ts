// The one logger: a line per event on the console, safe to ship to any log store. At the
// default level a line never holds a key, an SQL statement with its parameters, or a stack
// trace; AFFLUX_LOG_LEVEL=debug adds the raw error (stack, statement, cause chain) for
// whoever runs the server and asks for it. No dependencies: it runs in both Workers too.

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;
export type LogLevel = keyof typeof LEVELS;

/** AFFLUX_LOG_LEVEL, read on each call (cheap) so that a changed environment applies; default `info`. */
export function logLevel(): LogLevel {
  const raw = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.AFFLUX_LOG_LEVEL?.toLowerCase();
  return raw && raw in LEVELS ? (raw as LogLevel) : "info";
}
const enabled = (level: LogLevel) => LEVELS[level] >= LEVELS[logLevel()];

// drizzle's DrizzleQueryError: "Failed query: <statement>\nparams: <values>"
const DRIZZLE_QUERY = /Failed query:[\s\S]*/;
// any other text that starts a statement; everything after it goes (its values may follow)
const SQL_STATEMENT = /\b(?:select\s[\s\S]*\sfrom\s|insert\s+(?:or\s+\w+\s+)?into\s|update\s+\S+\s+set\s|delete\s+from\s|replace\s+into\s|with\s+\S+\s+as\s*\(|pragma\s)[\s\S]*/i;
const PARAMS = /\bparams:[\s\S]*/i;
// afflux keys by their prefixes, whatever follows
const KEY = /\bafx_(?:sk|pk|pb|pub)_[A-Za-z0-9_-]+/g;
const BEARER = /\bBearer\s+\S+/gi;
const MAX_MESSAGE = 300;

/** Text with statements, parameters and keys taken out, cut to a readable length. */
export function redact(text: string): string {
  let out = text.replace(DRIZZLE_QUERY, "query failed").replace(SQL_STATEMENT, "[statement removed]").replace(PARAMS, "").replace(KEY, "afx_…").replace(BEARER, "Bearer …");
  out = out.replace(/\s+/g, " ").trim();
  return out.length > MAX_MESSAGE ? `${out.slice(0, MAX_MESSAGE)}…` : out;
}

/** `Class(code): message` for an error and its causes (drizzle puts libSQL's error, with the code, in `cause`). */
export function describeError(err: unknown): string {
  const parts: string[] = [];
  let current: unknown = err;
  for (let depth = 0; current !== undefined && current !== null && depth < 4; depth++) {
    if (current instanceof Error) {
      const code = (current as { code?: unknown }).code;
      const name = current.constructor?.name || current.name || "Error";
      parts.push(`${name}${typeof code === "string" || typeof code === "number" ? `(${code})` : ""}: ${redact(current.message)}`);
      current = (current as { cause?: unknown }).cause;
    } else {
      parts.push(redact(String(current)));
      break;
    }
  }
  return parts.join(" ← caused by ");
}

function write(level: LogLevel, line: string) {
  const sink = level === "error" ? console.error : level === "warn" ? console.warn : console.log;
  sink(`[${level}] ${line}`);
}

export function logInfo(message: string): void {
  if (enabled("info")) write("info", redact(message));
}

export function logWarn(message: string): void {
  if (enabled("warn")) write("warn", redact(message));
}

/**
 * An error with what was being done (`context`, written by us: keep keys and SQL out of it).
 * At debug the raw error follows, with its stack and statement.
 */
export function logError(context: string, err: unknown): void {
  if (!enabled("error")) return;
  write("error", `${context}: ${describeError(err)}`);
  if (enabled("debug")) console.error(err);
}
