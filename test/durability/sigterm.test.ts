import { afterEach, describe, expect, it } from "vitest";
import {
  createFixture, eventually, fireRedirects, journaledIds, journalFiles, missingIds, nonEmptyJournalFiles, openDb, readClicks, type ServerProcess, startServer, tempDbPath,
} from "./server";

/**
 * CONTRACT "Redirect": nothing is lost when the process is stopped with SIGTERM. A burst of
 * redirects is in flight when the signal comes; every redirect that was answered 302 must be
 * stored exactly once: directly when the database is fine, via the journal (replayed by the
 * next start) when it is not.
 */

const TOTAL = 3000;
const SIGTERM_AFTER = 1000;

function waitForExit(server: ServerProcess, timeoutMs: number) {
  return Promise.race([
    server.exited,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`server did not exit within ${timeoutMs} ms after SIGTERM:\n${server.output()}`)), timeoutMs).unref(),
    ),
  ]);
}

/** Fires the burst and sends SIGTERM to the server (by its PID) once `SIGTERM_AFTER` redirects were answered. */
async function burstWithSigterm(server: ServerProcess, slug: string) {
  let signalled = false;
  const burst = await fireRedirects(server.baseUrl, slug, TOTAL, {
    concurrency: 50,
    timeoutMs: 10_000,
    onAnswer: (answered) => {
      if (!signalled && answered >= SIGTERM_AFTER) {
        signalled = true;
        process.kill(server.pid, "SIGTERM");
      }
    },
  });
  expect(signalled, "SIGTERM was sent during the burst").toBe(true);
  // Requests after the close fail at the connection level; only answers count. Any answer
  // must be a redirect, though, and none may hang.
  expect([...burst.statuses.keys()]).toEqual([302]);
  expect(burst.timeouts, "requests left hanging").toBe(0);
  expect(burst.badLocations).toBe(0);
  expect(burst.clickIds.length).toBeGreaterThanOrEqual(SIGTERM_AFTER);
  expect(new Set(burst.clickIds).size).toBe(burst.clickIds.length);
  return burst;
}

describe("SIGTERM during a burst of redirects (real server process)", () => {
  const servers: ServerProcess[] = [];
  const cleanups: (() => void)[] = [];

  afterEach(async () => {
    for (const s of servers.splice(0)) await s.kill();
    for (const fn of cleanups.splice(0).reverse()) {
      try {
        fn();
      } catch {
        // best effort
      }
    }
  });

  it("stores every answered click exactly once, with a healthy database and no journal left", async () => {
    const tmp = tempDbPath();
    cleanups.push(tmp.cleanup);
    const server = await startServer(tmp.dbPath);
    servers.push(server);
    const fixture = await createFixture(server.baseUrl);

    const burst = await burstWithSigterm(server, fixture.slug);
    const exit = await waitForExit(server, 20_000);
    expect(exit, server.output()).toEqual({ code: 0, signal: null });

    const db = openDb(tmp.dbPath);
    cleanups.push(() => db.close());
    const stored = readClicks(db);
    expect(missingIds(burst.clickIds, stored.ids), "answered but not stored").toEqual([]);
    expect(stored.distinct, "each click stored once").toBe(stored.count);
    // a redirect whose answer was cut off may be stored too, but never more than were sent
    expect(stored.count).toBeGreaterThanOrEqual(burst.clickIds.length);
    expect(stored.count).toBeLessThanOrEqual(TOTAL);
    // everything is in the database: no journal is left behind
    expect(journalFiles(tmp.dbPath), "journal after a clean shutdown").toEqual([]);
  });

  it("journals the clicks when the database is locked at SIGTERM, and the next start replays them once", async () => {
    const tmp = tempDbPath();
    cleanups.push(tmp.cleanup);
    const server = await startServer(tmp.dbPath);
    servers.push(server);
    const fixture = await createFixture(server.baseUrl);

    const lock = openDb(tmp.dbPath);
    cleanups.push(() => {
      if (lock.inTransaction) lock.exec("ROLLBACK");
      lock.close();
    });
    lock.exec("BEGIN EXCLUSIVE");

    const burst = await burstWithSigterm(server, fixture.slug);
    const exit = await waitForExit(server, 20_000);
    expect(exit, server.output()).toEqual({ code: 0, signal: null });

    // Nothing reached the database; everything answered is in the journal.
    expect(readClicks(lock).count).toBe(0);
    const journaled = journaledIds(tmp.dbPath);
    expect(missingIds(burst.clickIds, journaled), "answered but not journaled").toEqual([]);

    lock.exec("ROLLBACK");

    // The next start replays the journal (in the background, while it serves).
    const restarted = await startServer(tmp.dbPath);
    servers.push(restarted);
    const db = openDb(tmp.dbPath);
    cleanups.push(() => db.close());
    await eventually(() => nonEmptyJournalFiles(tmp.dbPath).length === 0, 20_000, "journal replayed");
    const stored = readClicks(db);
    expect(missingIds(burst.clickIds, stored.ids), "answered but not stored after replay").toEqual([]);
    expect(stored.distinct, "each click stored once").toBe(stored.count);
    expect(stored.count).toBe(journaled.size);

    process.kill(restarted.pid, "SIGTERM");
    expect(await waitForExit(restarted, 20_000)).toEqual({ code: 0, signal: null });
  });
});
