import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/**
 * Checkpoints of the WAL, run on a worker thread with its own connection. An automatic
 * checkpoint runs inside whichever COMMIT crosses the threshold: it copies ~1000 pages into the
 * database file and fsyncs it, blocking the event loop (and every redirect) for milliseconds.
 * PASSIVE never waits for locks, so the worker never holds up a writer either.
 *
 * PASSIVE alone never lets the WAL start over under steady writes: it copies the frames that
 * existed when it began, the writers append more meanwhile, and a writer restarts the WAL only
 * when it begins with every frame copied. So the file grew by gigabytes a minute at 2,000
 * postbacks a second (measured). When the worker reports a long WAL (after a few passes, each
 * copying what was written during the one before), the writer's own connection copies the few
 * frames written since, between two of its transactions, and its next transaction starts the
 * WAL over.
 */
const CHECKPOINT_WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.filePath);
const checkpoint = db.prepare("PRAGMA wal_checkpoint(PASSIVE)");
parentPort.on("message", (m) => {
  if (m === "close") { db.close(); parentPort.close(); return; }
  try {
    let result = checkpoint.get();
    // A WAL long enough to start over: more passes while the last one had much to copy, so that
    // the writer's own catch-up (what was written during the last pass) is short.
    for (let pass = 0; result.log >= workerData.restartFrames && pass < 4; pass++) {
      const before = result.log;
      result = checkpoint.get();
      if (result.log - before < 256) break;
    }
    parentPort.postMessage({ ok: true, result });
  }
  catch (err) { parentPort.postMessage({ ok: false, error: String(err) }); }
});`;
/**
 * A WAL this long (frames of 4 KiB: 256 MiB) is made to start over. The writer's catch-up ends
 * in an fsync of the database file on the event loop (median 5 ms, up to 40 ms measured under
 * load), so it should be rare: at 2,000 postbacks a second about every 6 s.
 */
export const RESTART_FRAMES = 65_536;
/** checkpoint at most this often while a connection writes */
const CHECKPOINT_EVERY_MS = 500;
/** SQLite's default automatic checkpoint threshold (pages), used when the worker is unavailable */
export const AUTO_CHECKPOINT_PAGES = 1000;

/** The writer's own connection (re-read each time: a connection may be reopened). */
export type WriterConnection = () => { readonly open: boolean; exec(sql: string): unknown };

/**
 * `writer` catches up on a long WAL and, should the worker fail, checkpoints itself again
 * (SQLite's automatic checkpoints); without one (a bench's plain client) neither happens.
 */
export class CheckpointWorker {
  private readonly worker: Worker;
  private busy = false;
  private failed = false;
  private last = 0;
  /** the worker found the WAL long: the writer's connection finishes the copy */
  private catchUpDue = false;

  constructor(filePath: string, private readonly writer: WriterConnection | null, restartFrames = RESTART_FRAMES) {
    this.worker = new Worker(CHECKPOINT_WORKER, {
      eval: true,
      workerData: { filePath, restartFrames, driver: createRequire(import.meta.url).resolve("libsql") },
    });
    // a checkpoint that failed (locked, I/O error) is simply tried again with the next write
    this.worker.on("message", (m: { ok: boolean; result?: { log?: number } }) => {
      this.busy = false;
      if (m.ok && (m.result?.log ?? 0) >= restartFrames) this.catchUpDue = true;
    });
    this.worker.on("error", () => this.fail());
    this.worker.on("exit", () => this.fail());
    this.worker.unref(); // after the listeners: adding a "message" listener refs the worker again
  }

  /** what a (re)opened writer connection sets: 0 while the worker checkpoints for it */
  get autoCheckpointPages(): number {
    return this.failed ? AUTO_CHECKPOINT_PAGES : 0;
  }

  private fail(): void {
    if (this.failed) return;
    this.failed = true;
    this.exec(`PRAGMA wal_autocheckpoint = ${AUTO_CHECKPOINT_PAGES}`);
  }

  private exec(sql: string): void {
    const db = this.writer?.();
    if (db?.open) db.exec(sql);
  }

  /**
   * Called after each write (outside any transaction); asks for a checkpoint when the last one
   * is old enough and done, and catches up on a long WAL.
   */
  maybeRun(): void {
    if (this.failed) return;
    if (this.catchUpDue) {
      this.catchUpDue = false;
      this.exec("PRAGMA wal_checkpoint(PASSIVE)");
    }
    if (this.busy) return;
    const now = Date.now();
    if (now - this.last < CHECKPOINT_EVERY_MS) return;
    this.last = now;
    this.busy = true;
    this.worker.postMessage("checkpoint");
  }

  close(): void {
    this.failed = true; // no fallback needed any more
    this.worker.postMessage("close");
  }
}

