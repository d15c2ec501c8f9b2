import { writeFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import type { ClickRow } from "../../src/services/tracking/clickEvent";
import {
  createFixture, eventually, fireRedirects, nonEmptyJournalFiles, journalPathOf, missingIds, openDb, readClicks, type ServerProcess,
  startServer, tempDbPath,
} from "./server";

/**
 * CONTRACT "Durability of an answered click": replaying a large journal never stalls redirects.
 * A start with 200k journaled clicks serves at once and replays them in the background, in
 * chunks: redirects are answered while the replay is still going on, and every journaled click
 * ends up stored once.
 */

const JOURNALED = 200_000;

/** Clicks on the fixture's link (numbers taken from a stored click), as the journal holds them. */
function journalLines(template: Record<string, unknown>, n: number): string {
  const lines: string[] = [];
  const ts = Date.now() - 60_000;
  for (let i = 0; i < n; i++) {
    const row: ClickRow = {
      id: `replay-${i.toString().padStart(7, "0")}`, ts: ts + (i % 60_000),
      programNum: Number(template.program_num), linkNum: Number(template.link_num), partnerNum: Number(template.partner_num),
      bot: false, browser: "Chrome", os: "Windows", device: "desktop", country: i % 3 ? "DE" : null, referrerHost: null,
      subs: null, visitor: i % 5000,
    };
    lines.push(JSON.stringify(row));
  }
  return `${lines.join("\n")}\n`;
}

describe("replay of a large click journal at start (real server process)", () => {
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

  it("serves redirects while 200k journaled clicks are still being replayed, and stores each once", { timeout: 60_000 }, async () => {
    const tmp = tempDbPath();
    cleanups.push(tmp.cleanup);
    const first = await startServer(tmp.dbPath);
    servers.push(first);
    const fixture = await createFixture(first.baseUrl);
    const one = await fireRedirects(first.baseUrl, fixture.slug, 1);
    const db = openDb(tmp.dbPath);
    cleanups.push(() => db.close());
    const countClicks = () => (db.prepare("SELECT count(*) AS n FROM clicks").get([]) as { n: number }).n;
    await eventually(() => readClicks(db).count === 1, 10_000, "first click stored");
    const template = db.prepare("SELECT program_num, link_num, partner_num FROM clicks").get([]) as Record<string, unknown>;
    process.kill(first.pid, "SIGTERM");
    await first.exited;

    // the journal an earlier run left behind (the single-file name older versions use too)
    writeFileSync(journalPathOf(tmp.dbPath), journalLines(template, JOURNALED));

    const restarted = await startServer(tmp.dbPath);
    servers.push(restarted);
    // Redirects in small bursts until the replay is done; after each answered burst, how many
    // rows the database holds tells whether the replay was still going on.
    const answered: string[] = [...one.clickIds];
    const storedAfterBursts: number[] = [];
    for (;;) {
      const burst = await fireRedirects(restarted.baseUrl, fixture.slug, 20, { concurrency: 5 });
      expect(Object.fromEntries(burst.statuses)).toEqual({ 302: 20 });
      answered.push(...burst.clickIds);
      const count = countClicks();
      storedAfterBursts.push(count);
      if (count >= JOURNALED + 1 || storedAfterBursts.length > 2000) break;
    }
    expect(storedAfterBursts[0], "redirects answered while the replay is in progress").toBeLessThan(JOURNALED);

    await eventually(() => countClicks() >= JOURNALED + answered.length && nonEmptyJournalFiles(tmp.dbPath).length === 0,
      30_000, "journal and redirects stored");
    const stored = readClicks(db);
    expect(stored.count).toBe(JOURNALED + answered.length);
    expect(stored.distinct).toBe(stored.count);
    expect(missingIds(answered, stored.ids)).toEqual([]);
  });
});
