import { readdirSync } from "node:fs";
import { type FileHandle, open, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { ClickRow } from "./clickEvent";

/**
 * The click journal: append-only segment files next to the database (`<base>.000001`, …), one
 * JSON click per line. Every batch of answered clicks is appended before it goes to the
 * database; a segment is deleted (or, while it is the one being appended to, truncated) once
 * every click it holds is stored. A write without fsync is enough: what the OS has survives a
 * crash of the process. Clicks are written idempotently by id, so a click that is both in the
 * database and in a segment (a crash between the two) is simply written again at no cost.
 */
export class JournalSegment {
  /** clicks appended (or being appended) that the database does not have yet */
  unstored = 0;
  /** lines in the file since it was created or last truncated */
  lines = 0;
  /** no more appends: a newer segment took over */
  sealed = false;
  /** stored by reading the file back (left by an earlier run, or dropped from memory) */
  fromFile = false;
  handle: FileHandle | null = null;
  constructor(readonly path: string) {}
}

/** A line is a click when it parses and has an id; a line torn by a crash mid-append is not. */
function parseLine(line: string): ClickRow | null {
  if (line === "") return null;
  try {
    const row = JSON.parse(line) as ClickRow;
    return typeof row?.id === "string" ? row : null;
  } catch {
    return null;
  }
}

export class ClickJournal {
  private current: JournalSegment | null = null;
  /** file operations run one after the other, in the order they were asked for */
  private queue: Promise<unknown> = Promise.resolve();
  private nextId = 1;
  /** sealed segments whose clicks are stored by reading them back, oldest first */
  readonly backlog: JournalSegment[] = [];

  /**
   * Picks up the segments an earlier run left (and the single-file journal of older versions,
   * `<base>` and `<base>.replaying`): they form the backlog; new clicks go to a new segment.
   */
  constructor(readonly basePath: string, private readonly segmentLines = 20_000) {
    const dir = dirname(basePath);
    const base = basename(basePath);
    const found: [order: number, name: string][] = [];
    for (const name of readdirSync(dir)) {
      if (name === `${base}.replaying`) found.push([-2, name]);
      else if (name === base) found.push([-1, name]);
      else if (name.startsWith(`${base}.`) && /^\d+$/.test(name.slice(base.length + 1))) {
        const id = Number(name.slice(base.length + 1));
        found.push([id, name]);
        this.nextId = Math.max(this.nextId, id + 1);
      }
    }
    for (const [, name] of found.sort((a, b) => a[0] - b[0])) {
      const segment = new JournalSegment(join(dir, name));
      segment.sealed = segment.fromFile = true;
      this.backlog.push(segment);
    }
  }

  private enqueue<T>(op: () => Promise<T>): Promise<T> {
    const run = this.queue.then(op);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Appends clicks to the current segment; resolves with it once the OS has them. */
  append(rows: readonly ClickRow[]): Promise<JournalSegment> {
    if (!this.current || this.current.lines >= this.segmentLines) this.rotate();
    const segment = this.current!;
    // counted now, not when written: a truncate asked for earlier must not drop these lines
    segment.unstored += rows.length;
    segment.lines += rows.length;
    let data = "";
    for (const r of rows) data += `${JSON.stringify(r)}\n`;
    return this.enqueue(async () => {
      try {
        segment.handle ??= await open(segment.path, "a");
        await segment.handle.write(data);
        return segment;
      } catch (err) {
        segment.unstored -= rows.length;
        throw err;
      }
    });
  }

  /** Seals the current segment; the next append starts a new one. */
  rotate(): void {
    const old = this.current;
    this.current = new JournalSegment(`${this.basePath}.${String(this.nextId++).padStart(6, "0")}`);
    if (!old) return;
    old.sealed = true;
    void this.enqueue(async () => {
      await old.handle?.close();
      old.handle = null;
    });
    if (old.unstored === 0) this.remove(old);
  }

  /** `n` clicks of the segment are in the database now. */
  stored(segment: JournalSegment, n: number): void {
    segment.unstored -= n;
    if (segment.unstored > 0 || segment.fromFile) return;
    if (segment.sealed) this.remove(segment);
    else {
      // the segment being appended to: emptied when nothing was appended since
      void this.enqueue(async () => {
        if (segment.unstored > 0 || segment.sealed || !segment.handle) return;
        await segment.handle.truncate(0);
        segment.lines = 0;
      }).catch(() => undefined);
    }
  }

  /** Deletes a segment whose clicks are all stored. */
  remove(segment: JournalSegment): void {
    void this.enqueue(async () => {
      await segment.handle?.close();
      segment.handle = null;
      await unlink(segment.path);
    }).catch(() => undefined); // already gone; a leftover is replayed (idempotently) by the next start
    const i = this.backlog.indexOf(segment);
    if (i >= 0) this.backlog.splice(i, 1);
  }

  /**
   * These (sealed) segments are stored by reading their files back from now on: their clicks
   * are no longer held in memory (bounded memory while the database is away).
   */
  moveToBacklog(segments: Iterable<JournalSegment>): void {
    for (const s of segments) {
      if (s.fromFile) continue;
      s.fromFile = true;
      this.backlog.push(s);
    }
  }

  /** Waits for the file operations asked for so far (truncates and deletes of stored segments). */
  async idle(): Promise<void> {
    await this.queue;
  }

  /** Waits for the file operations asked for so far; closes the current segment, deletes it when empty. */
  async close(): Promise<void> {
    const last = this.current;
    if (last && last.unstored === 0) {
      last.sealed = true;
      this.remove(last);
    }
    await this.queue;
    await last?.handle?.close();
    if (last) last.handle = null;
  }
}

/**
 * Reads a backlog segment in chunks (never the whole file at once), a slice of clicks at a
 * time; a slice the database did not take is handed out again.
 */
export class SegmentReader {
  private handle: FileHandle | null = null;
  private position = 0;
  private rest: Buffer = Buffer.alloc(0);
  private lines: string[] = [];
  private next = 0;
  private taken = 0;
  private ended = false;

  constructor(readonly segment: JournalSegment, private readonly chunkBytes = 64 * 1024) {}

  /** The next clicks of the file (up to `n`), or null at its end. */
  async peek(n: number): Promise<ClickRow[] | null> {
    for (;;) {
      const rows: ClickRow[] = [];
      let i = this.next;
      for (; i < this.lines.length && rows.length < n; i++) {
        const row = parseLine(this.lines[i]!);
        if (row) rows.push(row);
      }
      this.taken = i - this.next;
      if (rows.length > 0) return rows;
      this.next = i; // only torn lines here
      if (!(await this.readChunk())) return null;
    }
  }

  /** The clicks last peeked at are stored. */
  advance(): void {
    this.next += this.taken;
    this.taken = 0;
  }

  private async readChunk(): Promise<boolean> {
    if (this.ended) return false;
    try {
      this.handle ??= await open(this.segment.path, "r");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      this.ended = true; // deleted meanwhile: nothing to read
      return false;
    }
    const chunk = Buffer.allocUnsafe(this.chunkBytes);
    const { bytesRead } = await this.handle.read(chunk, 0, this.chunkBytes, this.position);
    this.position += bytesRead;
    let data = this.rest.length ? Buffer.concat([this.rest, chunk.subarray(0, bytesRead)]) : chunk.subarray(0, bytesRead);
    if (bytesRead === 0) {
      this.ended = true;
      if (data.length === 0) return false;
      data = Buffer.concat([data, Buffer.from("\n")]); // a last line without its newline: torn, or complete
    }
    const end = data.lastIndexOf(10);
    this.rest = Buffer.from(data.subarray(end + 1));
    this.lines = data.toString("utf8", 0, end).split("\n");
    this.next = 0;
    this.taken = 0;
    return true;
  }

  async close(): Promise<void> {
    await this.handle?.close();
    this.handle = null;
  }
}
