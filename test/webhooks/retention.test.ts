import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestApp, SECRET, sqlRows, type TestApp } from "../helpers/app";
import { runJobs, type JobDeps } from "../../src/services/jobs";
import { pruneDeliveryLog } from "../../src/services/webhooks/retention";

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 5, 1);

// The delivery log does not grow without bound: the settle job deletes attempts older than 30
// days, in bounded batches, but keeps the last attempt of an event never delivered and every
// pending attempt; running it again (or twice at once) deletes nothing more.
describe("webhook delivery log retention", () => {
  let t: TestApp;
  let deps: JobDeps;
  beforeEach(async () => {
    t = await createTestApp({ now: NOW });
    deps = { db: t.db, secret: SECRET, webhookTargets: { allowPrivate: true }, mail: null, log: () => {} };
  });
  afterEach(async () => { await t.close(); });

  /** One attempt of an event to a target, made `ageDays` before NOW. */
  const attempt = (id: string, event: string, n: number, status: "pending" | "succeeded" | "failed", ageDays: number, target = "wh_1") =>
    sqlRows(t, `INSERT INTO webhook_deliveries (id, kind, target_id, vendor_id, event_id, event_type, attempt, status, due_at, at, created_at)
      VALUES (?, 'webhook', ?, 'ven_1', ?, 'deal.updated', ?, ?, ?, ?, ?)`,
    [id, target, event, n, status, NOW - ageDays * DAY, status === "pending" ? null : NOW - ageDays * DAY, NOW - ageDays * DAY]);
  const ids = async () => (await sqlRows(t, "SELECT id FROM webhook_deliveries ORDER BY id")).map((r) => r.id);

  it("deletes old successes and superseded failures, keeps the last attempt of an undelivered event, pending and recent attempts", async () => {
    // delivered at the second attempt, 40 days ago: both go
    await attempt("a1", "evt_a", 1, "failed", 40);
    await attempt("a2", "evt_a", 2, "succeeded", 40);
    // failed every attempt, the last 35 days ago: only the last stays
    await attempt("b1", "evt_b", 1, "failed", 36);
    await attempt("b2", "evt_b", 2, "failed", 35);
    // an old failure whose retry is still pending: the failure goes, the pending attempt stays
    await attempt("c1", "evt_c", 1, "failed", 31);
    await attempt("c2", "evt_c", 2, "pending", 29);
    // recent: everything stays
    await attempt("d1", "evt_d", 1, "failed", 29);
    await attempt("d2", "evt_d", 2, "succeeded", 29);
    // the same event to another target, delivered long ago: goes, whatever the first target did
    await attempt("e1", "evt_b", 1, "succeeded", 40, "wh_2");

    const first = await runJobs(deps, NOW, ["settle"]);
    expect(first.settle).toMatchObject({ prunedDeliveries: 5 });
    expect(await ids()).toEqual(["b2", "c2", "d1", "d2"]);
    // idempotent: again, and twice at once, nothing more
    const again = await Promise.all([pruneDeliveryLog(t.db, NOW), pruneDeliveryLog(t.db, NOW)]);
    expect(again).toEqual([{ prunedDeliveries: 0 }, { prunedDeliveries: 0 }]);
    expect(await ids()).toEqual(["b2", "c2", "d1", "d2"]);
    // 10 days later the recent ones are old too
    expect(await pruneDeliveryLog(t.db, NOW + 10 * DAY)).toEqual({ prunedDeliveries: 2 });
    expect(await ids()).toEqual(["b2", "c2"]);
  });

  it("works in bounded batches: a run deletes at most batch × maxBatches, the next run goes on", async () => {
    for (let i = 0; i < 25; i++) await attempt(`s${String(i).padStart(2, "0")}`, `evt_${i}`, 1, "succeeded", 60);
    expect(await pruneDeliveryLog(t.db, NOW, { batch: 10, maxBatches: 2 })).toEqual({ prunedDeliveries: 20 });
    expect(await ids()).toHaveLength(5);
    expect(await pruneDeliveryLog(t.db, NOW, { batch: 10, maxBatches: 2 })).toEqual({ prunedDeliveries: 5 });
    expect(await ids()).toEqual([]);
  });
});
