import { describe, expect, it } from "vitest";
import { openAndMigrate } from "../../src/bootstrap";
import { ClientClickStore, NativeClickStore, type ClickStore } from "../../src/db/queries/clicks";
import type { ClickRow } from "../../src/services/tracking/clickEvent";
import { openDb, tempDbPath } from "./server";

/**
 * The native store folds clicks through a temp table; the client store scans the clicks once per
 * dimension. Both must leave exactly the same link counts, visitors and daily_stats behind, for
 * any mix of bots, visitors, days, links, dimensions and batch boundaries (replays included).
 */

const DAY = 86_400_000;

function rows(): ClickRow[] {
  const out: ClickRow[] = [];
  let seed = 7;
  const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
  const t0 = Date.UTC(2026, 10, 20, 22);
  for (let i = 0; i < 3000; i++) {
    const linkNum = 1 + rnd(3);
    out.push({
      id: `clk-${i.toString().padStart(5, "0")}`, ts: t0 + i * 97_000 + rnd(1000), programNum: linkNum === 3 ? 2 : 1, linkNum, partnerNum: linkNum,
      bot: rnd(10) === 0, browser: "Chrome", os: "Windows", device: ["desktop", "mobile", "tablet"][rnd(3)]!,
      country: [null, "DE", "US"][rnd(3)]!, referrerHost: null,
      subs: rnd(4) === 0 ? [`s${rnd(3)}`, null, null, null, null] : null, visitor: 1 + rnd(40),
    });
  }
  return out;
}

async function fold(make: (dbPath: string, database: { client: unknown }) => ClickStore): Promise<unknown> {
  const tmp = tempDbPath("afflux-rollup-");
  try {
    const { database } = await openAndMigrate(`file:${tmp.dbPath}`, undefined, "rollup-secret-0123456789abcdef");
    const store = make(tmp.dbPath, database);
    const all = rows();
    // uneven batches, a rollup after some of them, and one batch written twice
    for (const [from, to] of [[0, 700], [700, 701], [701, 1900], [1500, 2400], [2400, 3000]] as const) {
      await store.insert(all.slice(from, to));
      if (to !== 701) await store.rollup();
    }
    await store.rollup();
    store.close();
    database.close();
    const db = openDb(tmp.dbPath);
    try {
      const q = (sql: string) => db.prepare(sql).all();
      return {
        clicks: q("SELECT count(*) AS n FROM clicks"),
        counts: q("SELECT * FROM link_click_counts ORDER BY link_num"),
        visitors: q("SELECT * FROM link_visitors ORDER BY link_num, day, visitor"),
        stats: q("SELECT * FROM daily_stats ORDER BY program_num, dim, day, partner_num, key"),
        cursor: q("SELECT * FROM cursors"),
      };
    } finally {
      db.close();
    }
  } finally {
    tmp.cleanup();
  }
}

describe("click rollup", () => {
  it("native (temp-table fold) and client (per-dimension scans) stores produce the same rollups", async () => {
    const native = await fold((path) => new NativeClickStore(path));
    const client = await fold((_, database) => new ClientClickStore(database.client as ConstructorParameters<typeof ClientClickStore>[0]));
    expect((native as { clicks: { n: number }[] }).clicks[0]!.n).toBe(3000);
    expect((native as { stats: unknown[] }).stats.length).toBeGreaterThan(50);
    expect(native).toEqual(client);
  });
});
