import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openAndMigrate } from "../../src/bootstrap";
import { approveDue } from "../../src/db/queries/lifecycle";
import { createFixture, createTestApp, postConversion, sqlRows, type TestApp } from "../helpers/app";

// Settle approves in chunks, each chunk's commission.updated events in its transaction. Two
// settles at once, over two connections to one file, approve every due commission exactly once,
// with exactly one event each, also across chunk boundaries.
describe("settle's approvals and their events", () => {
  let dir: string;
  let t: TestApp;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "afflux-settle-"));
    t = await createTestApp({ databaseUrl: `file:${join(dir, "s.db")}` });
  });
  afterEach(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("two settles at once: each due commission approved once, one commission.updated each, none for what is not due", async () => {
    const f = await createFixture(t, { program: { holdDays: 1 } });
    for (let i = 0; i < 30; i++) expect((await postConversion(t, f.postbackKey, { orderId: `due-${i}`, event: "sale", amount: "10.00", coupon: "ANNA10" })).status).toBe(201);
    const dueAt = t.clock.now + 86_400_000;
    t.clock.now += 3 * 86_400_000;
    expect((await postConversion(t, f.postbackKey, { orderId: "later", event: "sale", amount: "10.00", coupon: "ANNA10" })).status).toBe(201);
    const { database: other } = await openAndMigrate(`file:${join(dir, "s.db")}`, undefined, "test-secret-0123456789abcdef");
    try {
      const now = dueAt + 1000;
      // small chunks: 30 commissions in 7 chunks per run, the two runs interleaving
      const [a, b] = await Promise.all([approveDue(t.db, f.program.id, now, f.vendor.id, 5), approveDue(other.db, f.program.id, now, f.vendor.id, 5)]);
      expect(a + b).toBe(30);
      const events = await sqlRows(t, "SELECT object_id AS id, count(*) AS n FROM events WHERE type = 'commission.updated' GROUP BY object_id");
      expect(events).toHaveLength(30);
      expect(events.every((e) => e.n === 1)).toBe(true);
      const approved = await sqlRows(t, "SELECT id FROM commissions WHERE status = 'approved' ORDER BY id");
      expect(approved.map((r) => r.id)).toEqual(events.map((e) => e.id).sort());
      expect(await sqlRows(t, "SELECT c.status FROM commissions c JOIN conversions v ON v.id = c.conversion_id WHERE v.order_id = 'later'")).toEqual([{ status: "pending" }]);
    } finally {
      other.close();
    }
  });
});
