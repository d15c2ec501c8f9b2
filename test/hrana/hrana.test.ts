import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient, type Client } from "@libsql/client";
import { drizzle } from "drizzle-orm/libsql";
import { migrate } from "drizzle-orm/libsql/migrator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MIGRATIONS_DIR } from "../../src/db/migrate";
import * as schema from "../../src/db/schema";
import { startHranaServer, type HranaServer } from "../../src/hrana/server";

let server: HranaServer;
let client: Client;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "afflux-hrana-"));
  server = await startHranaServer({ db: `file:${join(dir, "h.db")}`, streamIdleMs: 2_000 });
  client = createClient({ url: server.url });
  await client.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE, f REAL, b BLOB)");
});
afterAll(async () => {
  client.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The raw protocol, for what the client does not expose (batch conditions, batons). */
async function pipeline(body: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${server.url}/v2/pipeline`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}
const stmt = (sql: string, args: unknown[] = []) => ({ sql, args, want_rows: true });

describe("Hrana over HTTP, driven by @libsql/client (remote mode)", () => {
  it("executes with every value type round-tripping", async () => {
    const big = 2n ** 53n + 1n;
    const rs = await createClient({ url: server.url, intMode: "bigint" }).execute({
      sql: "SELECT ? AS i, ? AS f, ? AS s, ? AS b, ? AS n", args: [big, 1.5, "héllo", new Uint8Array([1, 2, 255]), null],
    });
    expect(rs.columns).toEqual(["i", "f", "s", "b", "n"]);
    const row = rs.rows[0]!;
    expect(row.i).toBe(big);
    expect(row.f).toBe(1.5);
    expect(row.s).toBe("héllo");
    expect([...new Uint8Array(row.b as ArrayBuffer)]).toEqual([1, 2, 255]);
    expect(row.n).toBeNull();
    const ins = await client.execute({ sql: "INSERT INTO t (v) VALUES (?)", args: ["a"] });
    expect(ins.rowsAffected).toBe(1);
    expect(ins.lastInsertRowid).toBeTypeOf("bigint");
    const named = await client.execute({ sql: "SELECT :x + 1 AS y", args: { x: 41 } });
    expect(Number(named.rows[0]!.y)).toBe(42);
  });

  it("runs a write batch atomically and rolls it back on error", async () => {
    await client.batch([{ sql: "INSERT INTO t (v) VALUES (?)", args: ["b1"] }, { sql: "INSERT INTO t (v) VALUES (?)", args: ["b2"] }], "write");
    await expect(
      client.batch([{ sql: "INSERT INTO t (v) VALUES (?)", args: ["b3"] }, { sql: "INSERT INTO t (v) VALUES (?)", args: ["b1"] }], "write"),
    ).rejects.toMatchObject({ code: expect.stringMatching(/^SQLITE_CONSTRAINT/) });
    const rs = await client.execute("SELECT v FROM t WHERE v LIKE 'b%' ORDER BY v");
    expect(rs.rows.map((r) => r.v)).toEqual(["b1", "b2"]);
  });

  it("honours batch step conditions: ok, error, not, and, or, is_autocommit", async () => {
    const { status, json } = await pipeline({
      baton: null,
      requests: [
        {
          type: "batch",
          batch: {
            steps: [
              { stmt: stmt("SELECT 1") },
              { stmt: stmt("SELECT * FROM missing_table") },
              { condition: { type: "ok", step: 0 }, stmt: stmt("SELECT 'ok0'") },
              { condition: { type: "ok", step: 1 }, stmt: stmt("SELECT 'ok1'") },
              { condition: { type: "error", step: 1 }, stmt: stmt("SELECT 'err1'") },
              { condition: { type: "not", cond: { type: "ok", step: 1 } }, stmt: stmt("SELECT 'not'") },
              { condition: { type: "and", conds: [{ type: "ok", step: 0 }, { type: "error", step: 1 }] }, stmt: stmt("SELECT 'and'") },
              { condition: { type: "or", conds: [{ type: "ok", step: 1 }, { type: "error", step: 0 }] }, stmt: stmt("SELECT 'or'") },
              { condition: { type: "is_autocommit" }, stmt: stmt("SELECT 'auto'") },
            ],
          },
        },
        { type: "close" },
      ],
    });
    expect(status).toBe(200);
    expect(json.baton).toBeNull();
    const result = json.results[0].response.result;
    const ran = result.step_results.map((r: any) => (r ? r.rows[0]?.[0]?.value ?? "ran" : null));
    expect(ran).toEqual(["1", null, "ok0", null, "err1", "not", "and", null, "auto"]);
    expect(result.step_errors[1].message).toMatch(/missing_table/);
    expect(json.results[1]).toEqual({ type: "ok", response: { type: "close" } });
  });

  it("keeps an interactive transaction across requests with its baton, isolated from other streams", async () => {
    const tx = await client.transaction("write");
    await tx.execute({ sql: "INSERT INTO t (v) VALUES (?)", args: ["tx1"] });
    expect((await tx.execute("SELECT count(*) AS n FROM t WHERE v = 'tx1'")).rows[0]!.n).toBe(1);
    // another stream waits for the transaction instead of seeing or breaking it
    const other = client.execute("SELECT count(*) AS n FROM t WHERE v = 'tx1'");
    await new Promise((r) => setTimeout(r, 100));
    await tx.execute({ sql: "INSERT INTO t (v) VALUES (?)", args: ["tx2"] });
    await tx.commit();
    expect((await other).rows[0]!.n).toBe(1);
    expect((await client.execute("SELECT count(*) AS n FROM t WHERE v LIKE 'tx%'")).rows[0]!.n).toBe(2);

    const rolled = await client.transaction("write");
    await rolled.execute({ sql: "INSERT INTO t (v) VALUES (?)", args: ["gone"] });
    await rolled.rollback();
    expect((await client.execute("SELECT count(*) AS n FROM t WHERE v = 'gone'")).rows[0]!.n).toBe(0);
  });

  it("uses store_sql / sql_id and get_autocommit across one stream", async () => {
    const first = await pipeline({ requests: [{ type: "store_sql", sql_id: 7, sql: "SELECT 40 + 2" }, { type: "execute", stmt: { sql_id: 7, args: [], want_rows: true } }, { type: "execute", stmt: stmt("BEGIN") }] });
    expect(first.json.results[1].response.result.rows[0][0]).toEqual({ type: "integer", value: "42" });
    const second = await pipeline({ baton: first.json.baton, requests: [{ type: "get_autocommit" }, { type: "execute", stmt: stmt("ROLLBACK") }, { type: "get_autocommit" }, { type: "close_sql", sql_id: 7 }, { type: "close" }] });
    expect(second.json.results[0].response).toEqual({ type: "get_autocommit", is_autocommit: false });
    expect(second.json.results[2].response).toEqual({ type: "get_autocommit", is_autocommit: true });
  });

  it("reports errors: SQL errors per request, unknown batons and bad bodies per HTTP status", async () => {
    await expect(client.execute("SELEC nonsense")).rejects.toMatchObject({ code: "SQLITE_ERROR" });
    const expired = await pipeline({ baton: "no-such-baton", requests: [{ type: "execute", stmt: stmt("SELECT 1") }] });
    expect(expired.status).toBe(400);
    expect(expired.json.code).toBe("STREAM_EXPIRED");
    const bad = await fetch(`${server.url}/v2/pipeline`, { method: "POST", body: "{nope" });
    expect(bad.status).toBe(400);
    expect((await fetch(`${server.url}/v3-protobuf`)).status).toBe(404);
  });

  it("rolls back and drops a stream that idles out inside a transaction", async () => {
    const open = await pipeline({ requests: [{ type: "execute", stmt: stmt("BEGIN IMMEDIATE") }, { type: "execute", stmt: stmt("INSERT INTO t (v) VALUES ('idle')") }] });
    expect(open.json.baton).toBeTruthy();
    await new Promise((r) => setTimeout(r, 2_300));
    expect((await client.execute("SELECT count(*) AS n FROM t WHERE v = 'idle'")).rows[0]!.n).toBe(0);
    expect((await pipeline({ baton: open.json.baton, requests: [{ type: "close" }] })).status).toBe(400);
  });

  it("applies our migrations through it (drizzle's libsql migrator and drizzle-kit migrate)", async () => {
    const mig = await startHranaServer({ db: ":memory:" });
    const remote = createClient({ url: mig.url });
    try {
      await migrate(drizzle(remote, { schema }), { migrationsFolder: MIGRATIONS_DIR });
      const tables = await remote.execute("SELECT name FROM sqlite_master WHERE type = 'table'");
      expect(tables.rows.map((r) => r.name)).toEqual(expect.arrayContaining(["clicks", "links", "conversions", "daily_stats"]));
    } finally {
      remote.close();
      await mig.close();
    }
    const kit = await startHranaServer({ db: `file:${join(dir, "kit.db")}` });
    try {
      // async: the server answers from this very process
      await promisify(execFile)(process.execPath, ["node_modules/drizzle-kit/bin.cjs", "migrate"], {
        cwd: join(import.meta.dirname, "../.."), env: { ...process.env, DATABASE_URL: kit.url }, timeout: 30_000,
      });
      const rs = await createClient({ url: kit.url }).execute("SELECT count(*) AS n FROM __drizzle_migrations");
      expect(Number(rs.rows[0]!.n)).toBeGreaterThan(0);
    } finally {
      await kit.close();
    }
  });
});
