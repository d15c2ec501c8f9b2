import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@libsql/client";
import { drizzle } from "drizzle-orm/libsql";
import { migrate } from "drizzle-orm/libsql/migrator";
import { afterEach, describe, expect, it } from "vitest";
import { MIGRATIONS_DIR } from "../../src/db/migrate";

// Migrations after the first run on databases that already hold data: each is checked by
// applying the ones before it, writing rows as the older code did, then applying the rest.

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

/** A copy of migrations/ that stops after migration `upTo` (its journal index). */
function migrationsUpTo(upTo: number): string {
  const dir = mkdtempSync(join(tmpdir(), "afflux-mig-"));
  dirs.push(dir);
  cpSync(MIGRATIONS_DIR, dir, { recursive: true });
  const journalPath = join(dir, "meta", "_journal.json");
  const journal = JSON.parse(readFileSync(journalPath, "utf8")) as { entries: { idx: number }[] };
  journal.entries = journal.entries.filter((e) => e.idx <= upTo);
  writeFileSync(journalPath, JSON.stringify(journal));
  return dir;
}

describe("migration 0001: program-wide rollup rows", () => {
  it("builds partner_num = -1 rows for country, device and sub1 from the per-partner rows, and nothing else", async () => {
    const client = createClient({ url: ":memory:" });
    const db = drizzle(client);
    await migrate(db, { migrationsFolder: migrationsUpTo(0) });
    const rows: [string, number, number, string, number, number, number][] = [
      // dim, day, partner, key, clicks, conversions, revenue
      ["country", 20000, 1, "DE", 5, 1, 1000], ["country", 20000, 2, "DE", 3, 2, 500], ["country", 20000, 2, "US", 7, 0, 0], ["country", 20001, 1, "DE", 1, 0, 0],
      ["device", 20000, 1, "mobile", 4, 1, 1000], ["device", 20000, 3, "mobile", 2, 0, 0],
      ["sub1", 20000, 0, "", 0, 1, 250],
      ["total", 20000, 1, "", 5, 1, 1000], ["link", 20000, 1, "7", 5, 1, 1000],
    ];
    for (const [dim, day, partner, key, clicks, conversions, revenue] of rows) {
      await client.execute({
        sql: "INSERT INTO daily_stats (program_num, dim, day, partner_num, key, clicks, unique_clicks, bot_clicks, conversions, revenue, commission) VALUES (1, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)",
        args: [dim, day, partner, key, clicks, clicks, conversions, revenue, revenue / 5],
      });
    }
    await migrate(db, { migrationsFolder: MIGRATIONS_DIR });
    const all = await client.execute("SELECT dim, day, key, clicks, unique_clicks, conversions, revenue, commission FROM daily_stats WHERE partner_num = -1 ORDER BY dim, day, key");
    expect(all.rows.map((r) => Object.values(r))).toEqual([
      ["country", 20000, "DE", 8, 8, 3, 1500, 300], ["country", 20000, "US", 7, 7, 0, 0, 0], ["country", 20001, "DE", 1, 1, 0, 0, 0],
      ["device", 20000, "mobile", 6, 6, 1, 1000, 200],
      ["sub1", 20000, "", 0, 0, 1, 250, 50],
    ]);
    expect((await client.execute("SELECT count(*) AS n FROM daily_stats WHERE partner_num <> -1")).rows[0]!.n).toBe(rows.length);
    client.close();
  });
});
