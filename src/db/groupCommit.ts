import type { InStatement, InValue } from "@libsql/client";
import { isBusy } from "./errors";

/** What the group commit reads of a statement's result (a ResultSet of @libsql/client fits). */
export interface BatchResult {
  rows: ArrayLike<unknown>[];
  rowsAffected: number;
}

/**
 * Where a group is written: the @libsql/client `Client` (any database: file, memory, Turso), or
 * the native file client that keeps statements prepared (src/db/nativeBatch.ts).
 */
export interface BatchClient {
  /** every statement in one write transaction (all or nothing) */
  batch(statements: InStatement[], mode: "write"): Promise<BatchResult[]>;
  /** fresh connections after a busy error */
  reconnect(): void | Promise<void>;
}

/**
 * One row of a fixed SQL text, with the statement kept prepared: the reads that run for every
 * postback (preparing a statement afresh, as @libsql/client does for each execute, cost more
 * than running it: profiled). Synchronous, on the group commit's own connection, so a read never
 * lands inside a group's transaction. Absent where there is no native connection.
 */
export interface PreparedReader {
  row(sql: string, args: InValue[]): unknown[] | undefined;
}

/** How a group of jobs becomes statements, and how their results are handed back per job. */
export interface GroupPlan<J, R> {
  statements(jobs: J[]): [InStatement, ...InStatement[]];
  results(jobs: J[], results: BatchResult[]): R[];
}

interface Queued<J, R> {
  job: J;
  queuedAt: number;
  resolve: (result: R) => void;
  reject: (err: unknown) => void;
}

export interface GroupCommitOptions {
  /** jobs per transaction at most (a long transaction holds the write lock longer) */
  maxJobs?: number;
  /**
   * a job that waited this long for its turn fails as busy instead of joining a transaction:
   * with the busy timeout on top, the caller hears back within its deadline (503, retry later)
   */
  maxQueueMs?: number;
  /**
   * under load (the last group committed less than this long ago), a group waits this long for
   * company before it commits: a commit's fixed cost (BEGIN, COMMIT, one statement of each kind)
   * is most of a small group's, so fewer, larger groups take more postbacks a second, for at most
   * this much latency. An idle server commits at once. 0 (the default): never wait.
   */
  lingerMs?: number;
  now?: () => number;
}

/**
 * Group commit: jobs submitted in the same turn of the event loop are written in one
 * transaction, built by the plan for the whole group (N concurrent conversions cost a few
 * statements and one commit instead of N of each). Each job gets its own result back. A
 * failing group is retried job by job, so one bad job fails alone. A job's data is committed
 * before its promise resolves (durable before the answer).
 */
export class GroupCommit<J, R> {
  private queue: Queued<J, R>[] = [];
  private scheduled = false;
  private running = false;
  private readonly maxJobs: number;
  private readonly maxQueueMs: number;
  private readonly lingerMs: number;
  private readonly now: () => number;
  /** performance.now() at the end of the last commit */
  private lastCommitAt = -Infinity;

  constructor(private readonly client: BatchClient, private readonly plan: GroupPlan<J, R>, opts: GroupCommitOptions = {}) {
    this.maxJobs = opts.maxJobs ?? 200;
    this.maxQueueMs = opts.maxQueueMs ?? 900;
    this.lingerMs = opts.lingerMs ?? 0;
    this.now = opts.now ?? Date.now;
  }

  submit(job: J): Promise<R> {
    return new Promise((resolve, reject) => {
      this.queue.push({ job, queuedAt: this.now(), resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.running) return;
    this.scheduled = true;
    const run = () => {
      this.scheduled = false;
      void this.drain();
    };
    // Under load (and short of a full group), a moment's wait for more jobs; otherwise after the
    // current turn: every request that arrived in it joins the same transaction.
    const underLoad = this.lingerMs > 0 && performance.now() - this.lastCommitAt < this.lingerMs && this.queue.length < this.maxJobs;
    if (underLoad) setTimeout(run, this.lingerMs);
    else setImmediate(run);
  }

  /** One group, then the next is scheduled like any other (so it may wait for company too). */
  private async drain(): Promise<void> {
    this.running = true;
    try {
      if (this.queue.length > 0) await this.commit(this.take());
    } finally {
      this.running = false;
    }
    if (this.queue.length > 0) this.schedule();
  }

  private take(): Queued<J, R>[] {
    const group: Queued<J, R>[] = [];
    const now = this.now();
    while (this.queue.length > 0 && group.length < this.maxJobs) {
      const q = this.queue.shift()!;
      if (now - q.queuedAt > this.maxQueueMs) q.reject(Object.assign(new Error("the database is busy: this write waited too long for its turn"), { code: "SQLITE_BUSY" }));
      else group.push(q);
    }
    return group;
  }

  private async commit(group: Queued<J, R>[]): Promise<void> {
    if (group.length === 0) return;
    const jobs = group.map((q) => q.job);
    try {
      const results = this.plan.results(jobs, await this.client.batch(this.plan.statements(jobs), "write"));
      this.lastCommitAt = performance.now(); // before the answers: a job they prompt sees the load
      group.forEach((q, i) => q.resolve(results[i]!));
    } catch (err) {
      if (isBusy(err)) {
        // The embedded driver leaves the statement that gave up "in progress" until it is
        // garbage-collected, and every later COMMIT on that connection fails with SQLITE_BUSY
        // ("SQL statements in progress"): open fresh connections (the database is a file; an
        // in-memory one cannot be busy).
        await this.client.reconnect();
      }
      if (group.length === 1 || isBusy(err)) {
        for (const q of group) q.reject(err);
        return;
      }
      for (const q of group) await this.commit([q]);
    }
  }
}
