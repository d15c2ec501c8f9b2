import { existsSync, readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { openAndMigrate } from "../../src/bootstrap";
import { NativeClickStore } from "../../src/db/queries/clicks";
import type { ClickEvent } from "../../src/services/tracking/clickEvent";
import { BatchingClickSink } from "../../src/services/tracking/clickSink";
import { BROWSER_UA, eventually, openDb, readClicks, SECRET, tempDbPath } from "./server";

/**
 * BatchingClickSink in process, over the native click store on a temp file database whose write
 * lock another connection holds: memory stays bounded (the rest goes to the journal), nothing
 * is lost at close, and the journal is replayed (once per click) when the database is back.
 */

const MEMORY_LIMIT = 100;

function clickEvents(n: number, prefix: string): ClickEvent[] {
  const ts = Date.now();
  return Array.from({ length: n }, (_, i) => ({
    id: `${prefix}-${i.toString().padStart(5, "0")}`,
    ts: ts + i,
    programNum: 1, linkNum: 1, partnerNum: 1, bot: false,
    userAgent: BROWSER_UA, ip: `198.51.100.${i % 250}`, referer: null, country: null, subs: null,
  }));
}

function journalLines(path: string): number {
  return existsSync(path) ? readFileSync(path, "utf8").split("\n").filter((l) => l.trim() !== "").length : 0;
}

describe("click journal (BatchingClickSink + NativeClickStore on a locked file)", () => {
  const cleanups: (() => void | Promise<void>)[] = [];
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) {
      try {
        await fn();
      } catch {
        // best effort
      }
    }
  });

  async function setup() {
    const tmp = tempDbPath("afflux-journal-");
    cleanups.push(tmp.cleanup);
    const { database } = await openAndMigrate(`file:${tmp.dbPath}`, undefined, SECRET);
    database.close();
    const journalPath = `${tmp.dbPath}.clicks.journal`;
    const lock = openDb(tmp.dbPath);
    cleanups.push(() => {
      if (lock.inTransaction) lock.exec("ROLLBACK");
      lock.close();
    });
    const errors: unknown[] = [];
    const newSink = () => {
      const store = new NativeClickStore(tmp.dbPath);
      const sink = new BatchingClickSink({
        store, secret: SECRET, journalPath, maxPendingInMemory: MEMORY_LIMIT,
        // only explicit flushes (and the sink's own retries) write
        batchSize: 100_000, flushIntervalMs: 60_000, retryMs: 20,
        onError: (err) => errors.push(err),
      });
      cleanups.push(async () => {
        await sink.close();
        store.close();
      });
      return { sink, store };
    };
    return { ...tmp, journalPath, lock, errors, newSink };
  }

  it("keeps at most the memory bound while the database is locked, journals the rest and writes all once it is back", async () => {
    const { dbPath, journalPath, lock, errors, newSink } = await setup();
    const { sink } = newSink();
    lock.exec("BEGIN EXCLUSIVE");

    const events = clickEvents(1000, "clk");
    for (const e of events) sink.push(e);
    await sink.flush();

    expect(errors.length, "the write failed").toBeGreaterThan(0);
    expect(sink.stored).toBe(0);
    expect(sink.waiting, "clicks held in memory").toBeLessThanOrEqual(MEMORY_LIMIT);
    expect(existsSync(journalPath), "journal written").toBe(true);
    expect(journalLines(journalPath) + sink.waiting, "every click is in memory or in the journal").toBe(1000);
    expect(readClicks(lock).count).toBe(0);

    lock.exec("ROLLBACK");
    const reader = openDb(dbPath);
    cleanups.push(() => {
      reader.close();
    });
    // the sink may be in its retry backoff: flush until it has written everything
    await eventually(async () => {
      await sink.flush();
      return readClicks(reader).count >= 1000 && sink.waiting === 0;
    }, 15_000, "1000 clicks stored", 50);

    const stored = readClicks(reader);
    expect(stored.count).toBe(1000);
    expect(stored.distinct).toBe(1000);
    expect(events.every((e) => stored.ids.has(e.id))).toBe(true);
    expect(sink.waiting).toBe(0);
    expect(existsSync(journalPath), "journal removed after replay").toBe(false);
    expect(existsSync(`${journalPath}.replaying`)).toBe(false);
  });

  it("journals everything at close() while the database is locked, and a new sink replays it once", async () => {
    const { dbPath, journalPath, lock, newSink } = await setup();
    const first = newSink();
    lock.exec("BEGIN EXCLUSIVE");

    const events = clickEvents(1000, "closed");
    for (const e of events) first.sink.push(e);
    await first.sink.close();
    first.store.close();

    expect(first.sink.stored).toBe(0);
    expect(first.sink.waiting, "nothing left in memory after close").toBe(0);
    expect(journalLines(journalPath), "every click journaled").toBe(1000);
    expect(readClicks(lock).count).toBe(0);

    lock.exec("ROLLBACK");
    // the next process start: a new sink on the same paths replays the journal on flush()
    const second = newSink();
    await second.sink.flush();

    const reader = openDb(dbPath);
    cleanups.push(() => {
      reader.close();
    });
    const stored = readClicks(reader);
    expect(stored.count).toBe(1000);
    expect(stored.distinct).toBe(1000);
    expect(events.every((e) => stored.ids.has(e.id))).toBe(true);
    expect(second.sink.stored).toBe(1000);
    expect(existsSync(journalPath)).toBe(false);
    expect(existsSync(`${journalPath}.replaying`)).toBe(false);

    // replaying the same clicks again stores nothing twice (idempotent by click id)
    for (const e of events.slice(0, 10)) second.sink.push(e);
    await second.sink.flush();
    expect(readClicks(reader).count).toBe(1000);
  });
  it("replays a .replaying file left by a failed replay", async () => {
    const tmp = tempDbPath("afflux-replay-");
    const { database } = await openAndMigrate(`file:${tmp.dbPath}`, undefined, SECRET);
    database.close();
    const journalPath = `${tmp.dbPath}.clicks.journal`;
    const lock = openDb(tmp.dbPath);
    const store = new NativeClickStore(tmp.dbPath);
    const sink = new BatchingClickSink({ store, secret: SECRET, journalPath, maxPendingInMemory: 100, batchSize: 100_000, flushIntervalMs: 60_000, retryMs: 20, onError: () => {} });
    lock.exec("BEGIN EXCLUSIVE");
    for (const e of clickEvents(1000, "r")) sink.push(e);
    await sink.flush(); // fails: 900 to the journal, 100 in memory
    await new Promise((r) => setTimeout(r, 100)); // past the retry backoff
    await sink.flush(); // journal renamed to .replaying, its insert fails again
    lock.exec("ROLLBACK");
    const reader = openDb(tmp.dbPath);
    try {
      await eventually(async () => { await sink.flush(); return sink.waiting === 0 && !existsSync(`${journalPath}.replaying`); }, 5000, "flushed", 50);
      await sink.close();
      expect(readClicks(reader).count).toBe(1000);
      expect(existsSync(`${journalPath}.replaying`)).toBe(false);
    } finally {
      reader.close();
      store.close();
      lock.close();
      tmp.cleanup();
    }
  });
});
