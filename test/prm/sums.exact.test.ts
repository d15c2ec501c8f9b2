import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openAndMigrate } from "../../src/bootstrap";
import type { Database } from "../../src/db/client";
import { buildReport } from "../../src/services/prm/report";

// The report's sums straight from the rollup rows, against a BigInt computed here: per-day
// values up to 10^16 minor units (past 2^53 ≈ 9.007e15 on their own) and totals far beyond.

const DAY0 = 20_500; // a day number in 2026
const PROGRAM = 7;

describe("report sums are exact beyond 2^53", () => {
  let database: Database;
  beforeAll(async () => { ({ database } = await openAndMigrate(":memory:", undefined, "test-secret-0123456789abcdef")); });
  afterAll(() => database.close());

  const rows = fc.array(fc.record({ day: fc.integer({ min: 0, max: 60 }), partner: fc.integer({ min: 1, max: 4 }), revenue: fc.bigInt({ min: 0n, max: 10n ** 16n }), commission: fc.bigInt({ min: -(10n ** 15n), max: 10n ** 16n }), clicks: fc.integer({ min: 0, max: 1000 }) }), { minLength: 1, maxLength: 40 });

  it("totals, per-day and per-partner rows equal the BigInt sums", async () => {
    await fc.assert(fc.asyncProperty(rows, async (input) => {
      await database.client.execute("DELETE FROM daily_stats");
      const seen = new Map<string, (typeof input)[number]>();
      for (const r of input) seen.set(`${r.day}|${r.partner}`, r); // one row per (day, partner): the table's key
      const unique = [...seen.values()];
      await database.client.batch(unique.map((r) => ({
        sql: "INSERT INTO daily_stats (program_num, dim, day, partner_num, key, clicks, unique_clicks, bot_clicks, conversions, revenue, commission) VALUES (?, 'total', ?, ?, '', ?, 0, 0, 1, ?, ?)",
        args: [PROGRAM, DAY0 + r.day, r.partner, r.clicks, r.revenue, r.commission],
      })), "write");
      const sum = (xs: typeof unique, f: (r: (typeof unique)[number]) => bigint) => xs.reduce((s, r) => s + f(r), 0n);
      const byDay = await buildReport(database.db, { programNum: PROGRAM, fromDay: DAY0, toDay: DAY0 + 60, groupBy: "day" });
      expect(byDay.totals.revenue).toBe(sum(unique, (r) => r.revenue));
      expect(byDay.totals.commission).toBe(sum(unique, (r) => r.commission));
      for (const [i, line] of byDay.rows.entries()) {
        expect(line.revenue).toBe(sum(unique.filter((r) => r.day === i), (r) => r.revenue));
      }
      const byPartner = await buildReport(database.db, { programNum: PROGRAM, fromDay: DAY0, toDay: DAY0 + 60, groupBy: "partner" });
      expect(byPartner.totals.commission).toBe(byDay.totals.commission);
      const clicks = unique.reduce((s, r) => s + r.clicks, 0);
      // EPC: commission ÷ clicks, rounded half away from zero, in integers
      if (clicks > 0) {
        const c = byDay.totals.commission, n = BigInt(clicks);
        const q = c / n, r = c % n;
        const away = (r < 0n ? -r : r) * 2n >= n ? (c < 0n ? -1n : 1n) : 0n;
        expect(byDay.totals.epc).toBe(q + away);
      }
    }), { numRuns: 60 });
  });
});
