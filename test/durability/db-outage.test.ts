import { afterEach, describe, expect, it } from "vitest";
import {
  api, createFixture, eventually, fireRedirects, missingIds, openDb, readClicks, type ServerProcess, sleep, startServer, tempDbPath,
} from "./server";

/**
 * CONTRACT "Redirect": while the database cannot take writes, redirects still answer 302 at
 * once, and every answered click is stored exactly once when the database is back (and shows
 * in the link's counts).
 */
describe("redirects while the database is locked (real server process)", () => {
  let server: ServerProcess | null = null;
  let lock: ReturnType<typeof openDb> | null = null;
  let cleanup: (() => void) | null = null;

  afterEach(async () => {
    try {
      if (lock?.inTransaction) lock.exec("ROLLBACK");
    } catch {
      // already released
    }
    lock?.close();
    lock = null;
    await server?.kill();
    server = null;
    cleanup?.();
    cleanup = null;
  });

  it("answers every redirect during the outage and stores each click once afterwards", async () => {
    const tmp = tempDbPath();
    cleanup = tmp.cleanup;
    server = await startServer(tmp.dbPath);
    const fixture = await createFixture(server.baseUrl);

    // The test process takes the database's write lock: every write of the server now fails
    // (SQLITE_BUSY after its busy timeout) until the lock is released.
    lock = openDb(tmp.dbPath);
    lock.exec("BEGIN EXCLUSIVE");

    const N = 2000;
    const burst = await fireRedirects(server.baseUrl, fixture.slug, N, { concurrency: 50, timeoutMs: 8000 });
    expect(burst.errors, "connection errors").toBe(0);
    expect(burst.timeouts, "redirects without an answer within 8 s").toBe(0);
    expect(burst.badLocations).toBe(0);
    expect(Object.fromEntries(burst.statuses)).toEqual({ 302: N });
    expect(new Set(burst.clickIds).size, "click ids are unique").toBe(N);

    // Long enough for the sink to have failed at least once and retried.
    await sleep(1500);
    // Nothing could have been written while the lock is held (so the outage was real)…
    expect(readClicks(lock).count).toBe(0);
    // …and the server noticed it.
    expect(server.output()).toMatch(/click writes failing/);

    lock.exec("ROLLBACK");
    lock.close();
    lock = null;

    const reader = openDb(tmp.dbPath);
    try {
      await eventually(() => readClicks(reader).count >= N, 25_000, `${N} clicks stored after the outage`);
      // a moment more so that duplicates, if any were written, would show
      await sleep(300);
      const stored = readClicks(reader);
      expect(stored.count, "rows in clicks").toBe(N);
      expect(stored.distinct, "distinct click ids").toBe(N);
      expect(missingIds(burst.clickIds, stored.ids)).toEqual([]);
    } finally {
      reader.close();
    }

    // Rollups caught up: the link's stored click count is the same number.
    let clicks: unknown = null;
    await eventually(async () => {
      const res = await api<{ clicks: number; botClicks: number }>(server!.baseUrl, `/api/v1/links/${fixture.linkId}`, { key: fixture.vendorKey });
      clicks = res.body.clicks;
      return res.status === 200 && res.body.clicks === N;
    }, 15_000, `link clicks = ${N} (last seen ${String(clicks)})`);
  });
});
