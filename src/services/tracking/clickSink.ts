import { appendFileSync, existsSync, readFileSync, renameSync, unlinkSync } from "node:fs";
import type { ClickStore } from "../../db/queries/clicks";
import { type ClickEvent, type ClickRow, enrichClick } from "./clickEvent";

const dimsOf = (row: ClickRow): ClickDims => ({ country: row.country, device: row.device, sub1: row.subs?.[0] ?? null });

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** What a conversion's report row takes from its click. */
export interface ClickDims {
  country: string | null;
  device: string | null;
  sub1: string | null;
}

export interface ClickSink {
  /** Takes a click; never blocks, never throws. Called on the redirect path. */
  push(event: ClickEvent): void;
  /**
   * The report dimensions of a click this sink holds but has not stored yet, if it can look:
   * a sale moments after its click still gets the click's country, device and sub1.
   */
  waitingClick?(clickId: string): ClickDims | null;
}

export interface BatchingClickSinkOptions {
  store: ClickStore;
  secret: string;
  /** flush when this many clicks wait */
  batchSize?: number;
  /** …or when the oldest waiting click is this old */
  flushIntervalMs?: number;
  /** clicks kept in memory while the database fails; beyond this they go to the journal */
  maxPendingInMemory?: number;
  /** append-only file for clicks the database could not take; null disables it */
  journalPath: string | null;
  /** rows per synchronous insert step; the event loop runs between steps */
  sliceSize?: number;
  /** rollups (link counts, reports) run at most this often while clicks flow */
  rollupIntervalMs?: number;
  /** first retry delay after a failed write (doubles up to 5 s) */
  retryMs?: number;
  onError?: (err: unknown) => void;
}

/**
 * The Node click sink: redirects push clicks into memory; a timer writes them in batches.
 * When the database fails or is slow, clicks stay in memory up to a bound and then go to an
 * append-only journal next to the database; both are written once the database is back
 * (idempotently, by click id). `close()` flushes everything, or journals what it cannot write.
 */
export class BatchingClickSink implements ClickSink {
  private buffer: ClickEvent[] = [];
  /** enriched rows that a failed write left behind, oldest first */
  private pending: ClickRow[] = [];
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> | null = null;
  private failures = 0;
  private retryAt = 0;
  private closed = false;
  private readonly batchSize: number;
  private readonly flushIntervalMs: number;
  private readonly maxPending: number;
  private readonly retryMs: number;
  private readonly sliceSize: number;
  private readonly rollupIntervalMs: number;
  private lastRollup = 0;
  private rollupNow = false;
  /** clicks stored so far by this sink (for health and tests) */
  stored = 0;

  constructor(private readonly opts: BatchingClickSinkOptions) {
    this.batchSize = opts.batchSize ?? 500;
    this.flushIntervalMs = opts.flushIntervalMs ?? 100;
    this.maxPending = opts.maxPendingInMemory ?? 100_000;
    this.retryMs = opts.retryMs ?? 100;
    this.sliceSize = opts.sliceSize ?? 400;
    this.rollupIntervalMs = opts.rollupIntervalMs ?? 250;
  }

  push(event: ClickEvent): void {
    this.buffer.push(event);
    if (this.buffer.length >= this.batchSize) this.schedule(0);
    else if (!this.timer) this.schedule(this.flushIntervalMs);
  }

  waitingClick(clickId: string): ClickDims | null {
    // Newest first: a conversion usually follows a recent click. Only called when the database
    // does not have the click yet, so a scan of what waits is fine.
    for (let i = this.buffer.length - 1; i >= 0; i--) {
      if (this.buffer[i]!.id === clickId) return dimsOf(enrichClick(this.buffer[i]!, this.opts.secret));
    }
    for (let i = this.pending.length - 1; i >= 0; i--) if (this.pending[i]!.id === clickId) return dimsOf(this.pending[i]!);
    return null;
  }

  /** clicks accepted but not yet stored (memory and journal are both counted as not stored) */
  get waiting(): number {
    return this.buffer.length + this.pending.length;
  }

  private schedule(delayMs: number): void {
    if (this.closed) return;
    if (this.timer) {
      if (delayMs > 0) return;
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.startRound();
    }, delayMs);
    this.timer.unref?.();
  }

  /** Writes everything pushed so far (after any round in progress) and rolls it up; never rejects. */
  async flush(): Promise<void> {
    if (this.writing) await this.writing;
    this.rollupNow = true;
    await this.startRound();
  }

  private startRound(): Promise<void> {
    this.writing ??= this.writeRound().finally(() => {
      this.writing = null;
      if (this.closed) return;
      if (this.failures) this.schedule(this.backoff());
      else if (this.waiting > 0) this.schedule(this.buffer.length >= this.batchSize ? 0 : this.flushIntervalMs);
    });
    return this.writing;
  }

  private backoff(): number {
    return Math.max(0, this.retryAt - Date.now());
  }

  /**
   * One round: enrich and insert what waits, slice by slice, yielding to the event loop between
   * slices so that redirects are never stuck behind a long synchronous write (p99 latency).
   */
  private async writeRound(): Promise<void> {
    const events = this.buffer;
    this.buffer = [];
    for (const e of events) this.pending.push(enrichClick(e, this.opts.secret));
    if (this.failures && Date.now() < this.retryAt && !this.closed) return this.spillToJournal();
    try {
      await this.replayJournal();
      while (this.pending.length > 0) {
        const slice = this.pending.slice(0, this.sliceSize);
        await this.opts.store.insert(slice);
        this.pending.splice(0, slice.length);
        this.stored += slice.length;
        if (!this.closed) await yieldToEventLoop();
      }
      // Rollups are set-based: folding a few rounds of clicks at once is cheaper per click than
      // folding each round alone, and link counts may lag by up to 5 s (contract).
      if (this.rollupNow || this.closed || Date.now() - this.lastRollup >= this.rollupIntervalMs) {
        await this.opts.store.rollup();
        this.lastRollup = Date.now();
        this.rollupNow = false;
      } else if (!this.timer) {
        this.schedule(this.rollupIntervalMs);
      }
      this.failures = 0;
    } catch (err) {
      this.failures++;
      this.retryAt = Date.now() + Math.min(5000, this.retryMs * 2 ** (this.failures - 1));
      if (this.failures === 1) this.opts.onError?.(err);
      this.spillToJournal();
    }
  }

  /** Bounded memory: the oldest clicks beyond the bound go to the journal. */
  private spillToJournal(): void {
    const { journalPath } = this.opts;
    if (!journalPath || this.pending.length <= this.maxPending) return;
    const spill = this.pending.splice(0, this.pending.length - this.maxPending);
    appendFileSync(journalPath, spill.map((r) => JSON.stringify(r)).join("\n") + "\n");
  }

  private async replayJournal(): Promise<void> {
    const { journalPath } = this.opts;
    if (!journalPath) return;
    // Renamed first so that a failed or crashed replay leaves a file that is simply replayed
    // again (by this round's retry or by the next start); new spills go to a fresh journal.
    const replaying = `${journalPath}.replaying`;
    if (!existsSync(replaying)) {
      if (!existsSync(journalPath)) return;
      renameSync(journalPath, replaying);
    }
    const rows = readFileSync(replaying, "utf8")
      .split("\n")
      .filter((line) => line.trim() !== "")
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as ClickRow];
        } catch {
          return []; // a line torn by a crash mid-append; its click was journaled again or lost with the process
        }
      });
    for (let i = 0; i < rows.length; i += this.sliceSize) {
      const batch = rows.slice(i, i + this.sliceSize);
      await this.opts.store.insert(batch);
      this.stored += batch.length;
    }
    unlinkSync(replaying);
    if (existsSync(journalPath)) await this.replayJournal();
  }

  /** Stops timers and stores everything; what the database cannot take goes to the journal. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.writing) await this.writing;
    this.failures = 0;
    await this.flush();
    if (this.pending.length > 0 && this.opts.journalPath) {
      appendFileSync(this.opts.journalPath, this.pending.map((r) => JSON.stringify(r)).join("\n") + "\n");
      this.pending = [];
    }
  }
}
