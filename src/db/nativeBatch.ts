import Native from "libsql";
import type { InStatement, InValue } from "@libsql/client";
import { CheckpointWorker } from "./checkpoints";
import type { BatchClient, BatchResult, PreparedReader } from "./groupCommit";

type NativeDb = InstanceType<typeof Native>;
type NativeStatement = ReturnType<NativeDb["prepare"]>;

/** prepared statements kept per connection (group shapes repeat: one per group size and mix) */
const MAX_PREPARED = 512;

/**
 * A batch client for the group commit over the synchronous `libsql` driver on the database
 * file: it keeps every statement prepared by its SQL text. @libsql/client prepares each
 * statement of every batch afresh, and for the conversions' multi-row inserts and report fold
 * that preparing cost about a third of the write (profiled). Same transaction semantics as
 * `client.batch(…, "write")`: BEGIN IMMEDIATE, every statement, COMMIT; any error rolls back.
 * Only for a local file (an in-memory database is private to its connection).
 */
export class NativeBatchClient implements BatchClient, PreparedReader {
  private db: NativeDb;
  private readonly prepared = new Map<string, NativeStatement>();
  private readonly checkpoints: CheckpointWorker;

  constructor(private readonly filePath: string, private readonly busyTimeoutMs = 1000) {
    this.db = this.open();
    // As the click store does: an automatic checkpoint would run inside a postback's COMMIT,
    // on the event loop (hundreds of ms of stalls at 2,000 postbacks a second, measured).
    this.checkpoints = new CheckpointWorker(filePath, () => this.db);
  }

  private open(): NativeDb {
    const db = new Native(this.filePath);
    db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = ${this.busyTimeoutMs}; PRAGMA cache_size = -65536;
      PRAGMA wal_autocheckpoint = ${this.checkpoints?.autoCheckpointPages ?? 0}`); // (no worker yet at the first open)
    return db;
  }

  private statement(sql: string): NativeStatement {
    let stmt = this.prepared.get(sql);
    if (!stmt) {
      if (this.prepared.size >= MAX_PREPARED) this.prepared.clear();
      stmt = this.db.prepare(sql);
      if (stmt.reader) stmt.raw(true);
      this.prepared.set(sql, stmt);
    }
    return stmt;
  }

  async batch(statements: InStatement[]): Promise<BatchResult[]> {
    const results: BatchResult[] = [];
    this.db.exec("BEGIN IMMEDIATE");
    try {
      for (const s of statements) {
        const { sql, args } = typeof s === "string" ? { sql: s, args: [] } : s;
        const stmt = this.statement(sql);
        if (stmt.reader) results.push({ rows: stmt.all(args ?? []) as unknown[][], rowsAffected: 0 });
        else results.push({ rows: [], rowsAffected: Number((stmt.run(args ?? []) as { changes: number }).changes) });
      }
      this.db.exec("COMMIT");
    } catch (err) {
      if (this.db.inTransaction) this.db.exec("ROLLBACK");
      throw err;
    }
    this.checkpoints.maybeRun();
    return results;
  }

  row(sql: string, args: InValue[]): unknown[] | undefined {
    const stmt = this.statement(sql);
    try {
      return stmt.get(args) as unknown[] | undefined;
    } catch (err) {
      // a statement that failed may stay "in progress": prepare it afresh next time
      this.prepared.delete(sql);
      throw err;
    }
  }

  /** After a busy error: a fresh connection, so that no statement is left in progress. */
  reconnect(): void {
    this.prepared.clear();
    this.db.close();
    this.db = this.open();
  }

  close(): void {
    this.checkpoints.close();
    this.prepared.clear();
    if (this.db.open) this.db.close();
  }
}

/** The batch client for a database's group commits: native on a file, the database's own client otherwise. */
export function groupCommitClient(database: { client: BatchClient; filePath: string | null }): BatchClient & Partial<PreparedReader> & { close(): void } {
  if (database.filePath) return new NativeBatchClient(database.filePath);
  const { client } = database;
  // the database's own client is closed with the database
  return { batch: (statements, mode) => client.batch(statements, mode), reconnect: () => client.reconnect(), close: () => undefined };
}
