import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/**
 * Checkpoints of the WAL, run on a worker thread with its own connection. An automatic
 * checkpoint runs inside whichever COMMIT crosses the threshold: it copies ~1000 pages into the
 * database file and fsyncs it, blocking the event loop (and every redirect) for milliseconds.
 * PASSIVE never waits for locks, so the worker never holds up a writer either.
 */
const CHECKPOINT_WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.filePath);
const checkpoint = db.prepare("PRAGMA wal_checkpoint(PASSIVE)");
parentPort.on("message", (m) => {
  if (m === "close") { db.close(); parentPort.close(); return; }
  try { parentPort.postMessage({ ok: true, result: checkpoint.get() }); }
  catch (err) { parentPort.postMessage({ ok: false, error: String(err) }); }
});`;
/** checkpoint at most this often while a connection writes */
const CHECKPOINT_EVERY_MS = 500;
/** SQLite's default automatic checkpoint threshold (pages), used when the worker is unavailable */
export const AUTO_CHECKPOINT_PAGES = 1000;

export class CheckpointWorker {
  private readonly worker: Worker;
  private busy = false;
  private failed = false;
  private last = 0;

  constructor(filePath: string, private readonly onFailure: () => void) {
    this.worker = new Worker(CHECKPOINT_WORKER, {
      eval: true,
      workerData: { filePath, driver: createRequire(import.meta.url).resolve("libsql") },
    });
    // a checkpoint that failed (locked, I/O error) is simply tried again with the next write
    this.worker.on("message", () => void (this.busy = false));
    this.worker.on("error", () => this.fail());
    this.worker.on("exit", () => this.fail());
    this.worker.unref(); // after the listeners: adding a "message" listener refs the worker again
  }

  private fail(): void {
    if (this.failed) return;
    this.failed = true;
    this.onFailure();
  }

  /** Called after each write; asks for a checkpoint when the last one is old enough and done. */
  maybeRun(): void {
    if (this.failed || this.busy) return;
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

