import Native from "libsql";

/**
 * The part of Hrana (v2, JSON over HTTP) that `@libsql/client` in remote mode speaks, executed on
 * one embedded `libsql` connection. Shapes follow the hrana-client's JSON codec: integers travel
 * as decimal strings, blobs as base64, and a JS number from the client is a float.
 */
export type NativeDb = InstanceType<typeof Native>;

export type HranaValue =
  | { type: "null" }
  | { type: "integer"; value: string }
  | { type: "float"; value: number }
  | { type: "text"; value: string }
  | { type: "blob"; base64: string };

export interface HranaStmt {
  sql?: string;
  sql_id?: number;
  args?: HranaValue[];
  named_args?: { name: string; value: HranaValue }[];
  want_rows?: boolean;
}

export type HranaCond =
  | { type: "ok" | "error"; step: number }
  | { type: "not"; cond: HranaCond }
  | { type: "and" | "or"; conds: HranaCond[] }
  | { type: "is_autocommit" };

export type HranaRequest =
  | { type: "execute"; stmt: HranaStmt }
  | { type: "batch"; batch: { steps: { condition?: HranaCond | null; stmt: HranaStmt }[] } }
  | { type: "sequence"; sql?: string; sql_id?: number }
  | { type: "describe"; sql?: string; sql_id?: number }
  | { type: "store_sql"; sql_id: number; sql: string }
  | { type: "close_sql"; sql_id: number }
  | { type: "get_autocommit" }
  | { type: "close" };

export interface HranaError {
  message: string;
  code: string;
}
export type StreamResult = { type: "ok"; response: Record<string, unknown> } | { type: "error"; error: HranaError };

interface StmtResult {
  cols: { name: string; decltype: string | null }[];
  rows: HranaValue[][];
  affected_row_count: number;
  last_insert_rowid: string | null;
}

/** A protocol-level failure (as opposed to an SQL error, which is a normal result). */
export class ProtocolError extends Error {
  constructor(message: string, readonly code = "PROTOCOL_ERROR") {
    super(message);
  }
}

function toSql(v: HranaValue): unknown {
  switch (v.type) {
    case "null": return null;
    case "integer": return BigInt(v.value);
    case "float": return v.value;
    case "text": return v.value;
    case "blob": return Buffer.from(v.base64, "base64");
    default: throw new ProtocolError(`unknown value type ${(v as { type: string }).type}`);
  }
}

function fromSql(v: unknown): HranaValue {
  if (v === null || v === undefined) return { type: "null" };
  if (typeof v === "bigint") return { type: "integer", value: v.toString() };
  if (typeof v === "number") return Number.isInteger(v) ? { type: "integer", value: String(v) } : { type: "float", value: v };
  if (typeof v === "string") return { type: "text", value: v };
  if (v instanceof Uint8Array) return { type: "blob", base64: Buffer.from(v).toString("base64") };
  return { type: "text", value: String(v) };
}

export function sqlError(err: unknown): HranaError {
  const e = err as { message?: string; code?: string };
  return { message: e.message ?? String(err), code: typeof e.code === "string" ? e.code : "SQLITE_ERROR" };
}

/** One Hrana stream: a connection's view plus the SQL texts stored by `store_sql`. */
export class StreamExecutor {
  readonly storedSql = new Map<number, string>();

  constructor(private readonly db: NativeDb, private readonly prepared: (sql: string) => ReturnType<NativeDb["prepare"]>) {}

  get autocommit(): boolean {
    return !this.db.inTransaction;
  }

  private sqlOf(r: { sql?: string; sql_id?: number }): string {
    if (r.sql !== undefined && r.sql !== null) return r.sql;
    if (r.sql_id !== undefined && r.sql_id !== null) {
      const sql = this.storedSql.get(r.sql_id);
      if (sql === undefined) throw new ProtocolError(`sql_id ${r.sql_id} is not stored`, "SQL_NOT_FOUND");
      return sql;
    }
    throw new ProtocolError("statement has neither sql nor sql_id");
  }

  execute(stmt: HranaStmt): StmtResult {
    const sql = this.sqlOf(stmt);
    const st = this.prepared(sql);
    let params: object;
    if (stmt.named_args && stmt.named_args.length > 0) {
      const named: Record<string, unknown> = {};
      for (const a of stmt.named_args) named[/^[:@$]/.test(a.name) ? a.name.slice(1) : a.name] = toSql(a.value);
      params = named;
    } else {
      params = (stmt.args ?? []).map(toSql);
    }
    st.safeIntegers(true);
    if (st.reader) {
      st.raw(true);
      const cols = st.columns().map((c: { name: string; type?: string | null }) => ({ name: c.name, decltype: c.type ?? null }));
      const rows = (st.all(params) as unknown[][]).map((row) => row.map(fromSql));
      // a reader that writes is an INSERT/UPDATE/DELETE … RETURNING: its changes count too
      const changes = /\breturning\b/i.test(sql) ? Number((this.db.prepare("SELECT changes()").raw(true).get([]) as unknown[])[0]) : 0;
      return { cols, rows: stmt.want_rows === false ? [] : rows, affected_row_count: changes, last_insert_rowid: null };
    }
    const info = st.run(params) as { changes: number; lastInsertRowid: number | bigint };
    return { cols: [], rows: [], affected_row_count: Number(info.changes), last_insert_rowid: String(info.lastInsertRowid) };
  }

  batch(steps: { condition?: HranaCond | null; stmt: HranaStmt }[]) {
    const results: (StmtResult | null)[] = [];
    const errors: (HranaError | null)[] = [];
    const holds = (c: HranaCond): boolean => {
      switch (c.type) {
        case "ok": return results[c.step] != null;
        case "error": return errors[c.step] != null;
        case "not": return !holds(c.cond);
        case "and": return c.conds.every(holds);
        case "or": return c.conds.some(holds);
        case "is_autocommit": return this.autocommit;
        default: throw new ProtocolError(`unknown condition ${(c as { type: string }).type}`);
      }
    };
    for (const step of steps) {
      if (step.condition && !holds(step.condition)) {
        results.push(null);
        errors.push(null);
        continue;
      }
      try {
        results.push(this.execute(step.stmt));
        errors.push(null);
      } catch (err) {
        if (err instanceof ProtocolError) throw err;
        results.push(null);
        errors.push(sqlError(err));
      }
    }
    return { step_results: results, step_errors: errors };
  }

  /** Runs one request of a pipeline; SQL errors become `error` results, not exceptions. */
  handle(req: HranaRequest): StreamResult {
    try {
      switch (req.type) {
        case "execute": return ok({ type: "execute", result: this.execute(req.stmt) });
        case "batch": return ok({ type: "batch", result: this.batch(req.batch.steps) });
        case "sequence": this.db.exec(this.sqlOf(req)); return ok({ type: "sequence" });
        case "describe": return this.describe(this.sqlOf(req));
        case "store_sql": this.storedSql.set(req.sql_id, req.sql); return ok({ type: "store_sql" });
        case "close_sql": this.storedSql.delete(req.sql_id); return ok({ type: "close_sql" });
        case "get_autocommit": return ok({ type: "get_autocommit", is_autocommit: this.autocommit });
        case "close": return ok({ type: "close" });
        default: throw new ProtocolError(`unknown request type ${(req as { type: string }).type}`);
      }
    } catch (err) {
      if (err instanceof ProtocolError) return { type: "error", error: { message: err.message, code: err.code } };
      return { type: "error", error: sqlError(err) };
    }
  }

  private describe(sql: string): StreamResult {
    const st = this.prepared(sql);
    const reader = st.reader;
    const cols = reader ? st.columns().map((c: { name: string; type?: string | null }) => ({ name: c.name, decltype: c.type ?? null })) : [];
    return ok({ type: "describe", result: { params: [], cols, is_explain: /^\s*explain\b/i.test(sql), is_readonly: reader && !/^\s*(insert|update|delete|replace)\b/i.test(sql) } });
  }
}

const ok = (response: Record<string, unknown>): StreamResult => ({ type: "ok", response });
