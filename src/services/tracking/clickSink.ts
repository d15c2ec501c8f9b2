import type { ClickStore } from "../../db/queries/clicks";
import { type ClickEvent, type ClickRow, enrichClick } from "./clickEvent";
import { ClickJournal, type JournalSegment, SegmentReader } from "./clickJournal";

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
  /** journal a batch when this many clicks wait */
  batchSize?: number;
  /** …or when the oldest waiting click is this old (the journal write follows within ~1 ms) */
  flushIntervalMs?: number;
  /**
   * journaled clicks also kept in memory (to write them without reading the journal back, and
   * for `waitingClick`) while the database is behind; beyond this they are read back from disk
   */
  maxPendingInMemory?: number;
  /** base path of the click journal's segment files; null: no journal (clicks wait in memory only) */
  journalPath: string | null;
  /** lines per journal segment before a new one is started */
  segmentLines?: number;
  /** rows per synchronous insert step; the event loop runs between steps */
  sliceSize?: number;
  /** rollups (link counts, reports) run at most this often while clicks flow */
  rollupIntervalMs?: number;
  /** first retry delay after a failed write (doubles up to 5 s) */
  retryMs?: number;
  onError?: (err: unknown) => void;
}

/** Journaled clicks waiting for the database (one journal append). */
interface Batch {
  rows: ClickRow[];
  /** rows already stored */
  done: number;
  /** where they are on disk; null when there is no journal or its write failed */
  segment: JournalSegment | null;
}

/**
 * Reading a journal back: clicks per slice, and slices per round. Every slice read back is
 * rolled up right away: folding a slice is a short synchronous step, folding a replay's worth
 * of clicks at once is not (about 10 µs per click).
 */
const REPLAY_SLICE = 200;
const REPLAY_SLICES_PER_ROUND = 10;
/** A batch of up to this many slices goes straight to the database (at ~2 ms a slice). */
const DIRECT_SLICES = 10;

/**
 * The Node click sink. Redirects push clicks into memory; within `flushIntervalMs` a round
 * enriches them and stores them: straight into the database while it takes them, otherwise
 * (locked, down, or a failed write still waiting for its retry) appended to the click journal
 * (a write-ahead log) and written to the database in slices once it is back. So an answered
 * click is on disk within ~100 ms (flush interval plus the store's short busy timeout) whatever
 * the database is doing, and `kill -9` loses at most what was answered since the last round.
 * Journal segments left by an earlier run (or written while the database was away beyond the
 * memory bound) are read back in chunks and written slice by slice, yielding to the event loop
 * in between: replay never stalls redirects.
 */
export class BatchingClickSink implements ClickSink {
  /** answered, not on disk yet */
  private buffer: ClickEvent[] = [];
  /** being appended to the journal right now */
  private appending: ClickRow[] | null = null;
  /** on disk (journal), not in the database yet, oldest first */
  private pending: Batch[] = [];
  private pendingRows = 0;
  private readonly journal: ClickJournal | null;
  private reader: SegmentReader | null = null;
  private journalTimer: NodeJS.Timeout | null = null;
  private dbTimer: NodeJS.Timeout | null = null;
  private journaling: Promise<void> | null = null;
  private writing: Promise<void> | null = null;
  private failures = 0;
  private retryAt = 0;
  private journalFailing = false;
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
    this.flushIntervalMs = opts.flushIntervalMs ?? 50;
    this.maxPending = opts.maxPendingInMemory ?? 50_000;
    this.retryMs = opts.retryMs ?? 100;
    this.sliceSize = opts.sliceSize ?? 400;
    this.rollupIntervalMs = opts.rollupIntervalMs ?? 250;
    this.journal = opts.journalPath ? new ClickJournal(opts.journalPath, opts.segmentLines) : null;
  }

  push(event: ClickEvent): void {
    this.buffer.push(event);
    if (this.buffer.length >= this.batchSize) this.scheduleJournal(0);
    else if (!this.journalTimer) this.scheduleJournal(this.flushIntervalMs);
  }

  waitingClick(clickId: string): ClickDims | null {
    // Newest first: a conversion usually follows a recent click. Only called when the database
    // does not have the click yet, so a scan of what waits is fine.
    for (let i = this.buffer.length - 1; i >= 0; i--) {
      if (this.buffer[i]!.id === clickId) return dimsOf(enrichClick(this.buffer[i]!, this.opts.secret));
    }
    const batches = this.appending ? [...this.pending.map((b) => b.rows), this.appending] : this.pending.map((b) => b.rows);
    for (let b = batches.length - 1; b >= 0; b--) {
      const rows = batches[b]!;
      for (let i = rows.length - 1; i >= 0; i--) if (rows[i]!.id === clickId) return dimsOf(rows[i]!);
    }
    return null;
  }

  /** clicks held in memory and not stored yet (journaled ones read back from disk are not counted) */
  get waiting(): number {
    return this.buffer.length + (this.appending?.length ?? 0) + this.pendingRows;
  }

  /** journal segments still to be read back into the database */
  get backlogSegments(): number {
    return this.journal?.backlog.length ?? 0;
  }

  private scheduleJournal(delayMs: number): void {
    if (this.closed) return;
    if (this.journalTimer) {
      if (delayMs > 0) return;
      clearTimeout(this.journalTimer);
    }
    this.journalTimer = setTimeout(() => {
      this.journalTimer = null;
      void this.journalRound();
    }, delayMs);
    this.journalTimer.unref?.();
  }

  private scheduleDb(delayMs: number): void {
    if (this.closed) return;
    if (this.dbTimer) {
      if (delayMs > 0) return;
      clearTimeout(this.dbTimer);
    }
    this.dbTimer = setTimeout(() => {
      this.dbTimer = null;
      void this.startDbRound();
    }, delayMs);
    this.dbTimer.unref?.();
  }

  /** Puts what the buffer holds on disk: into the database, or one journal append for the database writer. */
  private journalRound(): Promise<void> {
    this.journaling ??= this.storeBuffer().finally(() => {
      this.journaling = null;
      if (this.buffer.length > 0) this.scheduleJournal(this.buffer.length >= this.batchSize ? 0 : this.flushIntervalMs);
      if (this.failures) this.scheduleDb(this.backoff());
      else if (!this.closed) void this.startDbRound();
    });
    return this.journaling;
  }

  private async storeBuffer(): Promise<void> {
    if (this.journalTimer) clearTimeout(this.journalTimer);
    this.journalTimer = null;
    if (this.buffer.length === 0) return;
    const events = this.buffer;
    this.buffer = [];
    const rows = events.map((e) => enrichClick(e, this.opts.secret));
    this.appending = rows;
    const left = this.canWriteDirect(rows.length) ? await this.insertDirect(rows) : rows;
    if (left.length === 0) {
      this.appending = null;
      return;
    }
    const segment = await this.append(left);
    this.appending = null;
    this.pending.push({ rows: left, done: 0, segment });
    this.pendingRows += left.length;
    this.boundMemory();
  }

  /**
   * A healthy database takes a batch straight away: a commit (WAL, no fsync) survives `kill -9`
   * as well as a journal append does, so the batch is not written twice. Not while a failed
   * write waits for its retry (the database would only refuse again, after its busy timeout),
   * and not a batch so large (after a stall) that its oldest clicks would wait for the slices
   * ahead of them rather than go to disk at once. Journaled batches still waiting are no reason
   * to wait: clicks are stored idempotently and in any order.
   */
  private canWriteDirect(rows: number): boolean {
    return this.failures === 0 && rows <= DIRECT_SLICES * this.sliceSize;
  }

  /**
   * Inserts slice by slice, the event loop running between slices (p99 of the redirects);
   * returns what is not stored when the database refused a slice (the failure noted).
   */
  private async insertDirect(rows: ClickRow[]): Promise<ClickRow[]> {
    for (let at = 0; at < rows.length; at += this.sliceSize) {
      if (at > 0) await yieldToEventLoop();
      const slice = rows.slice(at, at + this.sliceSize);
      try {
        await this.opts.store.insert(slice);
      } catch (err) {
        this.noteFailure(err);
        return rows.slice(at);
      }
      this.stored += slice.length;
    }
    return [];
  }

  private noteFailure(err: unknown): void {
    this.failures++;
    this.retryAt = Date.now() + Math.min(5000, this.retryMs * 2 ** (this.failures - 1));
    if (this.failures === 1) this.opts.onError?.(err);
  }

  private async append(rows: ClickRow[]): Promise<JournalSegment | null> {
    if (!this.journal) return null;
    try {
      const segment = await this.journal.append(rows);
      this.journalFailing = false;
      return segment;
    } catch (err) {
      // disk full, permissions…: the clicks stay in memory and go to the database as usual
      if (!this.journalFailing) this.opts.onError?.(err);
      this.journalFailing = true;
      return null;
    }
  }

  /**
   * Bounded memory: beyond the bound, the oldest journaled clicks are dropped from memory (down
   * to half the bound, whole segments at a time) and read back from their files later.
   */
  private boundMemory(): void {
    if (!this.journal || this.pendingRows <= this.maxPending) return;
    this.journal.rotate(); // every batch in memory is in a sealed segment now
    const dropped = new Set<JournalSegment>();
    for (const batch of this.pending) {
      if (this.pendingRows <= this.maxPending / 2) break;
      if (!batch.segment || dropped.has(batch.segment)) continue;
      dropped.add(batch.segment);
      for (const b of this.pending) if (b.segment === batch.segment) this.pendingRows -= b.rows.length - b.done;
    }
    this.pending = this.pending.filter((b) => !b.segment || !dropped.has(b.segment));
    this.journal.moveToBacklog(dropped);
  }

  private backoff(): number {
    return Math.max(0, this.retryAt - Date.now());
  }

  private get hasDbWork(): boolean {
    return this.pendingRows > 0 || this.backlogSegments > 0;
  }

  /**
   * Writes everything pushed so far (and, unless closing, the journal's backlog) and rolls it
   * up; never rejects.
   */
  async flush(): Promise<void> {
    await this.journalRound();
    if (this.writing) await this.writing;
    this.rollupNow = true;
    // closing: the backlog stays on disk for the next start (a long replay must not hold up a stop)
    do await this.startDbRound();
    while (!this.failures && ((this.closed ? this.pendingRows > 0 : this.hasDbWork) || this.rollupNow));
    // a flushed sink has also let go of the journal lines it stored (their truncate is queued)
    await this.journal?.idle();
  }

  private startDbRound(): Promise<void> {
    this.writing ??= this.writeRound().finally(() => {
      this.writing = null;
      if (this.closed) return;
      if (this.failures) this.scheduleDb(this.backoff());
      else if (this.hasDbWork) this.scheduleDb(0);
    });
    return this.writing;
  }

  /**
   * One round: what is journaled goes to the database slice by slice, yielding to the event loop
   * between slices so that redirects are never stuck behind a long synchronous write (p99).
   */
  private async writeRound(): Promise<void> {
    if (this.failures && Date.now() < this.retryAt && !this.closed) return;
    let budget = this.pendingRows + (this.backlogSegments > 0 ? REPLAY_SLICES_PER_ROUND * REPLAY_SLICE : 0);
    try {
      while (budget > 0) {
        await this.journalFirst();
        const { stored, replayed } = await this.writeSlice();
        if (stored === 0) break;
        budget -= stored;
        this.stored += stored;
        if (!this.closed) await yieldToEventLoop();
        if (replayed) {
          await this.journalFirst();
          await this.opts.store.rollup();
          this.lastRollup = Date.now();
          if (!this.closed) await yieldToEventLoop();
        }
      }
      // Rollups are set-based: folding a few rounds of clicks at once is cheaper per click than
      // folding each round alone, and link counts may lag by up to 5 s (contract).
      if (this.rollupNow || this.closed || Date.now() - this.lastRollup >= this.rollupIntervalMs) {
        await this.journalFirst();
        await this.opts.store.rollup();
        this.lastRollup = Date.now();
        this.rollupNow = false;
      } else if (!this.dbTimer) {
        this.scheduleDb(this.rollupIntervalMs);
      }
      this.failures = 0;
    } catch (err) {
      this.noteFailure(err);
    }
  }

  /**
   * Before a synchronous database step: the clicks answered meanwhile go to disk first (to the
   * journal while a write is failing). A write into a locked database blocks for its busy
   * timeout, and no answered click may wait in memory that long.
   */
  private async journalFirst(): Promise<void> {
    if (this.buffer.length > 0) await this.journalRound();
  }

  /** Stores the next slice: fresh clicks in memory first, then (unless closing) the journal's backlog. */
  private async writeSlice(): Promise<{ stored: number; replayed: boolean }> {
    const batch = this.pending[0];
    if (batch) {
      const rows = batch.rows.slice(batch.done, batch.done + this.sliceSize);
      await this.opts.store.insert(rows);
      // the batch may have been moved to the backlog meanwhile (async store): then its file counts
      if (this.pending.includes(batch)) {
        batch.done += rows.length;
        this.pendingRows -= rows.length;
        if (batch.done === batch.rows.length) this.pending.splice(this.pending.indexOf(batch), 1);
        if (batch.segment) this.journal?.stored(batch.segment, rows.length);
      }
      return { stored: rows.length, replayed: false };
    }
    const journal = this.journal;
    for (;;) {
      const segment = journal?.backlog[0];
      if (!journal || !segment || this.closed) return { stored: 0, replayed: false };
      if (this.reader?.segment !== segment) {
        await this.reader?.close();
        this.reader = new SegmentReader(segment);
      }
      const rows = await this.reader.peek(REPLAY_SLICE);
      if (rows) {
        if (!this.closed) await yieldToEventLoop(); // parsing and inserting are two synchronous steps
        await this.opts.store.insert(rows);
        this.reader.advance();
        return { stored: rows.length, replayed: true };
      }
      await this.reader.close();
      this.reader = null;
      journal.remove(segment);
    }
  }

  /**
   * Stops timers and stores what memory holds; what the database cannot take, and a backlog not
   * replayed yet, stay in the journal for the next start.
   */
  async close(): Promise<void> {
    this.closed = true;
    for (const t of [this.journalTimer, this.dbTimer]) if (t) clearTimeout(t);
    this.journalTimer = this.dbTimer = null;
    if (this.journaling) await this.journaling;
    if (this.writing) await this.writing;
    this.failures = 0; // one last try, whatever the backoff
    await this.flush();
    if (this.journal) {
      // clicks whose journal write failed earlier: one more try to put them on disk
      for (const b of this.pending) {
        if (b.segment) continue;
        b.segment = await this.append(b.rows.slice(b.done));
      }
      await this.reader?.close();
      this.reader = null;
      await this.journal.close();
    }
  }
}
