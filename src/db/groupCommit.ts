import type { ResultSet } from "@libsql/client";
import type { Db } from "./client";
import { isBusy } from "./errors";

type Statement = ReturnType<Db["run"]>;

interface Job {
  statements: Statement[];
  queuedAt: number;
  resolve: (results: ResultSet[]) => void;
  reject: (err: unknown) => void;
}

export interface GroupCommitOptions {
  /** statements per transaction at most (a long transaction holds the write lock longer) */
  maxStatements?: number;
  /**
   * a job that waited this long for its turn fails as busy instead of joining a transaction:
   * with the busy timeout on top, the caller hears back within its deadline (503, retry later)
   */
  maxQueueMs?: number;
  now?: () => number;
}

/**
 * Group commit: batches submitted in the same turn of the event loop are written in one
 * transaction, so N concurrent conversions cost one commit (one set of WAL pages) instead of N.
 * Each job's statements keep their own guards (a replay is still a no-op), and each job gets its
 * own results back. A failing transaction is retried job by job, so one bad job fails alone.
 * Every job's data is committed before its promise resolves (durable before the answer).
 */
export class GroupCommit {
  private queue: Job[] = [];
  private scheduled = false;
  private running = false;
  private readonly maxStatements: number;
  private readonly maxQueueMs: number;
  private readonly now: () => number;

  constructor(private readonly db: Db, opts: GroupCommitOptions = {}) {
    this.maxStatements = opts.maxStatements ?? 2000;
    this.maxQueueMs = opts.maxQueueMs ?? 900;
    this.now = opts.now ?? Date.now;
  }

  /** Runs the statements atomically (with others' in the same transaction); resolves with their results. */
  run(statements: [Statement, ...Statement[]]): Promise<ResultSet[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ statements, queuedAt: this.now(), resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.running) return;
    this.scheduled = true;
    // After the current turn: every request that arrived in it joins the same transaction.
    setImmediate(() => {
      this.scheduled = false;
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0) await this.commit(this.take());
    } finally {
      this.running = false;
    }
  }

  private take(): Job[] {
    const group: Job[] = [];
    let count = 0;
    const now = this.now();
    while (this.queue.length > 0 && (group.length === 0 || count + this.queue[0]!.statements.length <= this.maxStatements)) {
      const job = this.queue.shift()!;
      if (now - job.queuedAt > this.maxQueueMs) {
        job.reject(Object.assign(new Error("the database is busy: this write waited too long for its turn"), { code: "SQLITE_BUSY" }));
        continue;
      }
      group.push(job);
      count += job.statements.length;
    }
    return group;
  }

  private async commit(group: Job[]): Promise<void> {
    if (group.length === 0) return;
    try {
      const all = group.flatMap((j) => j.statements) as [Statement, ...Statement[]];
      const results = (await this.db.batch(all)) as ResultSet[];
      let at = 0;
      for (const job of group) {
        job.resolve(results.slice(at, at + job.statements.length));
        at += job.statements.length;
      }
    } catch (err) {
      if (group.length === 1 || isBusy(err)) {
        for (const job of group) job.reject(err);
        return;
      }
      for (const job of group) await this.commit([job]);
    }
  }
}
