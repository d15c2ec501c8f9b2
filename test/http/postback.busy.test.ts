import Database from "libsql";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { click, countRows, createFixture, createTestApp, expectError, postConversion, type TestApp } from "../helpers/app";

// Issue 9: a postback while another connection holds the database's write lock waited 5 s and
// answered 500. It must answer 503 with Retry-After, without waiting for the lock to end, and
// record nothing; once the lock is gone the retry records the conversion.

describe("postbacks while the database is locked", () => {
  let dir: string;
  let t: TestApp;
  let f: Awaited<ReturnType<typeof createFixture>>;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "afflux-busy-"));
    t = await createTestApp({ databaseUrl: `file:${join(dir, "a.db")}` });
    f = await createFixture(t);
  });
  afterEach(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers 503 with Retry-After before the lock ends, records nothing, and the retry succeeds", async () => {
    const clickId = await click(t, "anna");
    const locker = new Database(join(dir, "a.db"));
    locker.exec("PRAGMA journal_mode = WAL; BEGIN IMMEDIATE; INSERT INTO settings (key, value) VALUES ('lock-holder', 'x')");
    let res: Response;
    try {
      res = await postConversion(t, f.postbackKey, { orderId: "locked-1", event: "sale", amount: "10.00", clickId });
    } finally {
      // The lock is released only after the answer arrived: a server waiting for it would hang here.
      locker.exec("ROLLBACK");
      locker.close();
    }
    const retryAfter = res.headers.get("retry-after");
    await expectError(res, 503, "unavailable");
    expect(Number(retryAfter)).toBeGreaterThan(0);
    expect(await countRows(t, "conversions")).toBe(0);
    // The retry records it, and so does what follows: the connection that gave up is not left
    // with a statement in progress (which failed every later COMMIT until garbage collection).
    for (const orderId of ["locked-1", "after-1", "after-2"]) {
      const res = await postConversion(t, f.postbackKey, { orderId, event: "sale", amount: "10.00", clickId });
      expect(res.status, await res.clone().text()).toBe(201);
    }
  });
});
