import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openAndMigrate } from "../../src/bootstrap";
import type { Database } from "../../src/db/client";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GroupCommit, type BatchClient, type GroupPlan } from "../../src/db/groupCommit";
import { groupCommitClient } from "../../src/db/nativeBatch";
import { click, createFixture, createTestApp, okJson, postConversion, sqlRows } from "../helpers/app";

// Group commit: jobs of one event-loop turn share a transaction, each gets its own result, and
// one bad job fails alone.

// The same behaviour over both batch clients: the database's own (memory, Turso) and the
// native one that keeps statements prepared (a file, as the server runs).
describe.each(["memory", "file"] as const)("GroupCommit over the %s client", (kind) => {
  let database: Database;
  let client: BatchClient & { close(): void };
  let dir: string;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "afflux-group-"));
    ({ database } = await openAndMigrate(kind === "memory" ? ":memory:" : `file:${join(dir, "g.db")}`, undefined, "group-commit-secret-0123456789"));
    await database.client.execute("CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER NOT NULL)");
    client = groupCommitClient(database);
  });
  afterEach(() => {
    client.close();
    database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const plan = (batches: number[]): GroupPlan<{ k: string; v: number | null }, number> => ({
    statements(jobs) {
      batches.push(jobs.length);
      const [first, ...rest] = jobs.map((j) => ({ sql: "INSERT INTO t (k, v) VALUES (?, ?) ON CONFLICT DO NOTHING", args: [j.k, j.v] }));
      return [first!, ...rest];
    },
    results: (jobs, results) => jobs.map((_, i) => results[i]!.rowsAffected),
  });

  it("writes the jobs of one turn in one transaction and answers each", async () => {
    const batches: number[] = [];
    const writer = new GroupCommit(client, plan(batches));
    const answers = await Promise.all(["a", "b", "c", "a"].map((k, i) => writer.submit({ k, v: i })));
    expect(answers).toEqual([1, 1, 1, 0]); // the second "a" lost to the first
    expect(batches).toEqual([4]);
    expect((await database.client.execute("SELECT count(*) AS n FROM t")).rows[0]![0]).toBe(3);
  });

  it("under load, waits a moment for company: jobs of the next turns join one group; idle, it commits at once", async () => {
    const batches: number[] = [];
    const writer = new GroupCommit(client, plan(batches), { lingerMs: 30 });
    await writer.submit({ k: "first", v: 0 }); // idle: committed alone, at once
    // right after a commit (under load), three jobs arriving on three later turns share one group
    const turn = () => new Promise((r) => setImmediate(r));
    const later = [writer.submit({ k: "a", v: 1 })];
    await turn();
    later.push(writer.submit({ k: "b", v: 2 }));
    await turn();
    later.push(writer.submit({ k: "c", v: 3 }));
    expect(await Promise.all(later)).toEqual([1, 1, 1]);
    expect(batches).toEqual([1, 3]);
    // without the linger, each turn is its own group
    const plain: number[] = [];
    const eager = new GroupCommit(client, plan(plain));
    const jobs = [eager.submit({ k: "d", v: 4 })];
    await turn();
    jobs.push(eager.submit({ k: "e", v: 5 }));
    await Promise.all(jobs);
    expect(plain).toEqual([1, 1]);
  });

  it("retries a failing group job by job, so only the bad job fails", async () => {
    const batches: number[] = [];
    const writer = new GroupCommit(client, plan(batches));
    const outcomes = await Promise.allSettled([writer.submit({ k: "x", v: 1 }), writer.submit({ k: "y", v: null }), writer.submit({ k: "z", v: 3 })]);
    expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(batches).toEqual([3, 1, 1, 1]);
    expect((await database.client.execute("SELECT k FROM t ORDER BY k")).rows.map((r) => r[0])).toEqual(["x", "z"]);
  });
});

describe.each(["memory", "file"] as const)("concurrent postbacks through the group commit (%s database)", (kind) => {
  it("stores every order once, with its commission and its report rows, also with twins in the same group", async () => {
    const dir = mkdtempSync(join(tmpdir(), "afflux-group-"));
    const t = await createTestApp(kind === "file" ? { databaseUrl: `file:${join(dir, "g.db")}` } : {});
    try {
      const f = await createFixture(t);
      const clickId = await click(t, "anna", "?sub1=news", );
      await t.flushClicks();
      const orders = Array.from({ length: 60 }, (_, i) => `g-${i % 40}`); // 20 twins
      const results = await Promise.all(orders.map((orderId) => postConversion(t, f.postbackKey, { orderId, event: "sale", amount: "10.00", clickId })));
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === 201)).toHaveLength(40);
      expect(statuses.filter((s) => s === 200)).toHaveLength(20);
      expect(await sqlRows(t, "SELECT count(*) AS n, sum(amount) AS a FROM commissions")).toEqual([{ n: 40, a: 40 * 200 }]);
      const day = new Date(t.clock.now).toISOString().slice(0, 10);
      const bySub = await okJson(await t.request(`/api/v1/programs/${f.program.id}/report?from=${day}&to=${day}&groupBy=sub1`, { key: f.vendorKey }));
      expect(bySub.rows).toEqual([expect.objectContaining({ key: "news", conversions: 40, revenue: "400.00", commission: "80.00" })]);
      expect(await sqlRows(t, "SELECT DISTINCT sub1 FROM conversions")).toEqual([{ sub1: "news" }]);
    } finally {
      await t.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
