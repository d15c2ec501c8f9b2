import { writeFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { openAndMigrate } from "../../src/bootstrap";
import { NativeClickStore } from "../../src/db/queries/clicks";
import { type ClickEvent, enrichClick } from "../../src/services/tracking/clickEvent";
import { BatchingClickSink } from "../../src/services/tracking/clickSink";
import { BROWSER_UA, eventually, journaledIds, journalFiles, nonEmptyJournalFiles, openDb, readClicks, SECRET, tempDbPath } from "./server";

/**
 * BatchingClickSink in process, over the native click store on a temp file database: a batch
 * the database takes is stored once, one it refuses is journaled; while another connection holds the write lock,
 * memory stays bounded (the rest is read back from the journal), nothing is lost at close, and
 * the journal is replayed (once per click) when the database is back, also by a new sink.
 */

const MEMORY_LIMIT = 100;

function clickEvents(n: number, prefix: string): ClickEvent[] {
  const ts = Date.now();
  return Array.from({ length: n }, (_, i) => ({
    id: `${prefix}-${i.toString().padStart(5, "0")}`,
    ts: ts + i,
    programNum: 1, linkNum: 1, partnerNum: 1, bot: false,
    userAgent: BROWSER_UA, ip: `198.51.100.${i % 250}`, referer: null, country: i % 2 ? "DE" : null, subs: null,
  }));
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
      if (!lock.open) return;
      if (lock.inTransaction) lock.exec("ROLLBACK");
      lock.close();
    });
    const errors: unknown[] = [];
    const newSink = () => {
      const store = new NativeClickStore(tmp.dbPath);
      const sink = new BatchingClickSink({
        store, secret: SECRET, journalPath, maxPendingInMemory: MEMORY_LIMIT, segmentLines: 40,
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

  it("stores a batch the database takes without journaling it, and journals a refused one before giving up on it", async () => {
    const { dbPath, lock, newSink } = await setup();
    const { sink, store } = newSink();
    const healthy = clickEvents(50, "ok");
    for (const e of healthy) sink.push(e);
    await sink.flush();
    expect(sink.stored).toBe(50);
    expect(journalFiles(dbPath), "a batch stored at once is written once: no journal file at all").toEqual([]);
    expect(readClicks(lock).count).toBe(50);

    // locked: the direct insert fails, and the batch is on disk before the sink moves on
    lock.exec("BEGIN EXCLUSIVE");
    const refused = clickEvents(30, "locked");
    for (const e of refused) sink.push(e);
    const insert = store.insert.bind(store);
    let attempts = 0;
    store.insert = async (rows) => {
      attempts++;
      return insert(rows);
    };
    await sink.flush();
    expect(attempts, "one direct attempt, then the journal").toBe(1);
    expect(refused.filter((e) => !journaledIds(dbPath).has(e.id))).toEqual([]);
    // while that batch waits for its retry, newer ones go to the journal without trying the database
    const later = clickEvents(20, "later");
    for (const e of later) sink.push(e);
    await sink.flush();
    expect(attempts).toBe(1);
    expect(later.filter((e) => !journaledIds(dbPath).has(e.id))).toEqual([]);

    lock.exec("ROLLBACK");
    await eventually(async () => {
      await sink.flush();
      return sink.waiting === 0;
    }, 15_000, "journaled clicks stored", 50);
    expect(readClicks(lock).count).toBe(100);
    expect(nonEmptyJournalFiles(dbPath), "stored clicks are dropped from the journal").toEqual([]);
    await sink.close();
    expect(journalFiles(dbPath), "no journal after a clean close").toEqual([]);
  });

  it("keeps at most the memory bound while the database is locked, journals everything and writes all once it is back", async () => {
    const { dbPath, lock, errors, newSink } = await setup();
    const { sink } = newSink();
    lock.exec("BEGIN EXCLUSIVE");

    const events = clickEvents(1000, "clk");
    for (const [i, e] of events.entries()) {
      sink.push(e);
      if (i % 50 === 49) await sink.flush(); // one journal append (and segment) per 50 clicks
    }
    await sink.flush();

    expect(errors.length, "the write failed").toBeGreaterThan(0);
    expect(sink.stored).toBe(0);
    expect(sink.waiting, "clicks held in memory").toBeLessThanOrEqual(MEMORY_LIMIT);
    expect(sink.backlogSegments, "clicks beyond the bound are read back from disk").toBeGreaterThan(0);
    const journaled = journaledIds(dbPath);
    expect(events.filter((e) => !journaled.has(e.id)), "every click is in the journal").toEqual([]);
    expect(readClicks(lock).count).toBe(0);
    // a click still in memory gives its dimensions to a conversion
    expect(sink.waitingClick(events[999]!.id)).toEqual({ country: "DE", device: enrichClick(events[999]!, SECRET).device, sub1: null });

    lock.exec("ROLLBACK");
    const reader = openDb(dbPath);
    cleanups.push(() => {
      reader.close();
    });
    // the sink may be in its retry backoff: flush until it has written everything
    await eventually(async () => {
      await sink.flush();
      return readClicks(reader).count >= 1000 && sink.waiting === 0 && sink.backlogSegments === 0;
    }, 15_000, "1000 clicks stored", 50);

    const stored = readClicks(reader);
    expect(stored.count).toBe(1000);
    expect(stored.distinct).toBe(1000);
    expect(events.every((e) => stored.ids.has(e.id))).toBe(true);
    expect(nonEmptyJournalFiles(dbPath), "journal emptied once stored").toEqual([]);
    await sink.close();
    expect(journalFiles(dbPath)).toEqual([]);
  });

  it("journals everything at close() while the database is locked, and a new sink replays it once", async () => {
    const { dbPath, lock, newSink } = await setup();
    const first = newSink();
    lock.exec("BEGIN EXCLUSIVE");

    const events = clickEvents(1000, "closed");
    for (const e of events) first.sink.push(e);
    await first.sink.close();
    first.store.close();

    expect(first.sink.stored).toBe(0);
    expect(journaledIds(dbPath).size, "every click journaled").toBe(1000);
    expect(readClicks(lock).count).toBe(0);

    lock.exec("ROLLBACK");
    // the next process start: a new sink on the same paths replays the journal on flush()
    const second = newSink();
    expect(second.sink.backlogSegments).toBeGreaterThan(0);
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
    expect(second.sink.backlogSegments).toBe(0);

    // replaying the same clicks again stores nothing twice (idempotent by click id)
    for (const e of events.slice(0, 10)) second.sink.push(e);
    await second.sink.flush();
    expect(readClicks(reader).count).toBe(1000);
    await second.sink.close();
    expect(journalFiles(dbPath)).toEqual([]);
  });

  it("leaves a backlog it has not replayed yet on disk at close(), and the next sink stores it once", async () => {
    const { dbPath, journalPath, newSink } = await setup();
    const rows = clickEvents(3000, "left").map((e) => JSON.stringify(enrichClick(e, SECRET)));
    writeFileSync(`${journalPath}.000007`, `${rows.join("\n")}\n`);
    const first = newSink();
    const fresh = clickEvents(30, "fresh");
    for (const e of fresh) first.sink.push(e);
    await first.sink.close(); // stores the fresh clicks, not the 3000 of the backlog
    first.store.close();
    const reader = openDb(dbPath);
    cleanups.push(() => {
      reader.close();
    });
    expect(readClicks(reader).count).toBeLessThan(3030);
    expect(fresh.every((e) => readClicks(reader).ids.has(e.id)), "fresh clicks stored at close").toBe(true);
    expect(journalFiles(dbPath)).toEqual([`${journalPath}.000007`]);

    const second = newSink();
    await second.sink.flush();
    const stored = readClicks(reader);
    expect(stored.count).toBe(3030);
    expect(stored.distinct).toBe(3030);
    await second.sink.close();
    expect(journalFiles(dbPath)).toEqual([]);
  });

  it("replays the single-file journal of older versions (and its .replaying file), torn lines skipped, resuming after a failure", async () => {
    const { dbPath, journalPath, lock, newSink } = await setup();
    const rows = clickEvents(1500, "old").map((e) => JSON.stringify(enrichClick(e, SECRET)));
    writeFileSync(`${journalPath}.replaying`, `${rows.slice(0, 500).join("\n")}\n`);
    // the last line was torn by a crash mid-append
    writeFileSync(journalPath, `${rows.slice(500).join("\n")}\n${rows[0]!.slice(0, 40)}`);
    const { sink } = newSink();
    expect(sink.backlogSegments).toBe(2);

    lock.exec("BEGIN EXCLUSIVE");
    await sink.flush(); // fails
    expect(sink.stored).toBe(0);
    lock.exec("ROLLBACK");
    lock.close();

    const reader = openDb(dbPath);
    cleanups.push(() => {
      reader.close();
    });
    await eventually(async () => {
      await sink.flush();
      return sink.backlogSegments === 0;
    }, 10_000, "backlog replayed", 50);
    const stored = readClicks(reader);
    expect(stored.count).toBe(1500);
    expect(stored.distinct).toBe(1500);
    expect(journalFiles(dbPath)).toEqual([]);
  });
});
