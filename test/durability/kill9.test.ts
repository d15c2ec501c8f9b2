import { afterEach, describe, expect, it } from "vitest";
import {
  api, createFixture, eventually, fireRedirects, nonEmptyJournalFiles, missingIds, openDb, readClicks, type ServerProcess, sleep,
  startServer, tempDbPath,
} from "./server";

/**
 * CONTRACT "Durability of an answered click": `kill -9` at any moment, also while the database
 * is locked, loses at most the clicks answered in the last 100 ms; the next start writes every
 * journaled click to the database once.
 */

const TOTAL = 4000;
const KILL_AFTER = 2500;
/** clicks answered this long before the kill must survive it */
const ALLOWANCE_MS = 100;

/** Fires the burst and SIGKILLs the server (by its PID) once `KILL_AFTER` redirects were answered. */
async function burstWithKill(server: ServerProcess, slug: string) {
  let killedAt = 0;
  const burst = await fireRedirects(server.baseUrl, slug, TOTAL, {
    concurrency: 50,
    timeoutMs: 10_000,
    onAnswer: (answered) => {
      if (killedAt === 0 && answered >= KILL_AFTER) {
        killedAt = Date.now();
        process.kill(server.pid, "SIGKILL");
      }
    },
  });
  await server.exited;
  expect(killedAt, "SIGKILL was sent during the burst").toBeGreaterThan(0);
  expect([...burst.statuses.keys()]).toEqual([302]);
  expect(burst.badLocations).toBe(0);
  // answered by the server at least ALLOWANCE_MS before the kill (the client saw them even later)
  const mustSurvive = burst.clickIds.filter((_, i) => burst.answeredAt[i]! < killedAt - ALLOWANCE_MS);
  return { burst, mustSurvive };
}

/** Waits until the restarted server has replayed everything (no journal left, row count steady). */
async function replayed(dbPath: string): Promise<ReturnType<typeof readClicks>> {
  const db = openDb(dbPath);
  try {
    let last = -1;
    await eventually(() => {
      const now = readClicks(db).count;
      const steady = now === last && nonEmptyJournalFiles(dbPath).length === 0;
      last = now;
      return steady;
    }, 30_000, "journal replayed", 500);
    return readClicks(db);
  } finally {
    db.close();
  }
}

describe("kill -9 during a burst of redirects (real server process)", () => {
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

  async function killedBurst(locked: boolean) {
    const tmp = tempDbPath();
    cleanups.push(tmp.cleanup);
    const server = await startServer(tmp.dbPath);
    servers.push(server);
    const fixture = await createFixture(server.baseUrl);
    const lock = openDb(tmp.dbPath);
    const release = () => {
      if (!lock.open) return;
      if (lock.inTransaction) lock.exec("ROLLBACK");
      lock.close();
    };
    cleanups.push(release);
    // another connection holds the write lock: every click write of the server fails
    if (locked) lock.exec("BEGIN IMMEDIATE");

    const { burst, mustSurvive } = await burstWithKill(server, fixture.slug);
    expect(mustSurvive.length, "clicks answered well before the kill").toBeGreaterThan(KILL_AFTER / 2);
    if (locked) {
      expect(readClicks(lock).count, "nothing reached the locked database").toBe(0);
    }
    release();

    const restarted = await startServer(tmp.dbPath);
    servers.push(restarted);
    const stored = await replayed(tmp.dbPath);
    expect(missingIds(mustSurvive, stored.ids), "answered more than 100 ms before the kill but not stored").toEqual([]);
    expect(stored.count, "stored at most what was sent").toBeLessThanOrEqual(TOTAL);
    return { tmp, fixture, restarted, burst, stored };
  }

  it("loses nothing answered more than 100 ms before the kill while the database is locked", async () => {
    await killedBurst(true);
  });

  it("loses nothing answered more than 100 ms before the kill with a healthy database", async () => {
    await killedBurst(false);
  });

  it("replays each journaled click once: no duplicate rows, counts match, a second restart adds nothing", async () => {
    const { tmp, fixture, restarted, stored } = await killedBurst(true);
    expect(stored.distinct, "each click stored once").toBe(stored.count);
    await eventually(async () => {
      const res = await api<{ clicks: number }>(restarted.baseUrl, `/api/v1/links/${fixture.linkId}`, { key: fixture.vendorKey });
      return res.status === 200 && res.body.clicks === stored.count;
    }, 15_000, `link clicks = ${stored.count}`);

    await restarted.kill();
    const again = await startServer(tmp.dbPath);
    servers.push(again);
    await sleep(500);
    const after = await replayed(tmp.dbPath);
    expect(after.count).toBe(stored.count);
    expect(after.distinct).toBe(stored.count);
  });
});
