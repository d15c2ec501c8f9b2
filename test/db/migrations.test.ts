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

describe("migration 0003: management completeness on existing data", () => {
  it("archives older twin rules, gives emails to their first partner, backfills windows and rule copies", async () => {
    const client = createClient({ url: ":memory:" });
    const db = drizzle(client);
    await migrate(db, { migrationsFolder: migrationsUpTo(2) });
    const run = (sql: string) => client.execute(sql);
    await run("INSERT INTO vendors (id, name, created_at) VALUES ('ven_1', 'V', 1)");
    await run(`INSERT INTO programs (id, num, vendor_id, name, currency, cookie_days, attribution, hold_days, allowed_domains, click_param, min_payout, created_at)
      VALUES ('prg_1', 1, 'ven_1', 'P', 'USD', 45, 'last_click', 0, '["a.example"]', 'afx_click', 0, 1)`);
    await run("INSERT INTO tiers (id, program_id, name, rank, metric, threshold, window_days, created_at) VALUES ('tier_0', 'prg_1', 'Entry', 0, 'revenue', 0, 90, 1)");
    await run(`INSERT INTO commission_rules (id, program_id, tier_id, event, type, value, created_at) VALUES
      ('rule_old', 'prg_1', NULL, 'sale', 'percent', 100000, 1), ('rule_new', 'prg_1', NULL, 'sale', 'percent', 200000, 2),
      ('rule_tier', 'prg_1', 'tier_0', 'sale', 'flat', 500, 1), ('rule_lead', 'prg_1', NULL, 'lead', 'flat', 100, 1)`);
    await run(`INSERT INTO partners (id, num, program_id, name, email, status, tier_id, coupon, coupon_key, created_at) VALUES
      ('ptn_a', 1, 'prg_1', 'A', 'Anna@example.com', 'approved', 'tier_0', NULL, NULL, 1), ('ptn_b', 2, 'prg_1', 'B', 'anna@EXAMPLE.com', 'approved', 'tier_0', NULL, NULL, 2)`);
    await run(`INSERT INTO conversions (id, program_id, event, order_id, amount, refunded, currency, source, status, model, occurred_at, created_at)
      VALUES ('cnv_1', 'prg_1', 'sale', 'o1', 1000, 0, 'USD', 'postback', 'attributed', 'last_click', 1, 1)`);
    await run(`INSERT INTO commissions (id, program_id, partner_id, conversion_id, rule_id, tier_id, amount, original_amount, currency, status, available_at, created_at, updated_at)
      VALUES ('com_1', 'prg_1', 'ptn_a', 'cnv_1', 'rule_new', 'tier_0', 200, 200, 'USD', 'pending', 1, 1, 1)`);
    await migrate(db, { migrationsFolder: MIGRATIONS_DIR });
    const active = await client.execute("SELECT id FROM commission_rules WHERE archived_at IS NULL ORDER BY id");
    expect(active.rows.map((r) => r.id)).toEqual(["rule_lead", "rule_new", "rule_tier"]);
    const emails = await client.execute("SELECT id, email_key FROM partners ORDER BY id");
    expect(emails.rows.map((r) => [r.id, r.email_key])).toEqual([["ptn_a", "anna@example.com"], ["ptn_b", null]]);
    expect((await client.execute("SELECT cookie_days FROM conversions")).rows[0]!.cookie_days).toBe(45);
    const com = (await client.execute("SELECT rule_type, rule_value FROM commissions")).rows[0]!;
    expect([com.rule_type, com.rule_value]).toEqual(["percent", 200000]);
    await expect(run("INSERT INTO commission_rules (id, program_id, tier_id, event, type, value, created_at) VALUES ('rule_x', 'prg_1', NULL, 'sale', 'flat', 1, 3)")).rejects.toThrow(/UNIQUE/);
    client.close();
  });
});
