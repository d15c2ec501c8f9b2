import { statSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { openAndMigrate } from "../../src/bootstrap";
import { NativeClickStore } from "../../src/db/queries/clicks";
import type { ClickRow } from "../../src/services/tracking/clickEvent";
import { openDb, sleep, tempDbPath } from "./server";

/**
 * The native click store leaves WAL checkpoints to a worker thread (its own connection never
 * checkpoints inside a COMMIT): the clicks must still reach the database file while writes go on.
 */
describe("click store checkpoints", () => {
  it("copies written clicks from the WAL into the database file without a checkpoint on the writer", async () => {
    const tmp = tempDbPath("afflux-checkpoint-");
    try {
      const { database } = await openAndMigrate(`file:${tmp.dbPath}`, undefined, "checkpoint-secret-0123456789abcdef");
      database.close();
      const before = statSync(tmp.dbPath).size;
      const store = new NativeClickStore(tmp.dbPath);
      const ts = Date.now();
      for (let b = 0; b < 8; b++) {
        const rows: ClickRow[] = Array.from({ length: 1000 }, (_, i) => ({
          id: `ckp-${b}-${i.toString().padStart(5, "0")}`, ts: ts + i, programNum: 1, linkNum: 1, partnerNum: 1, bot: false,
          browser: "Chrome", os: "Windows", device: "desktop", country: null, referrerHost: null, subs: null, visitor: i,
        }));
        await store.insert(rows);
        await sleep(150);
      }
      await sleep(300);
      // the writer itself must not have checkpointed (autocheckpoint is off on its connection) …
      // … yet the file grew: the worker copied pages while the writes went on
      expect(statSync(tmp.dbPath).size).toBeGreaterThan(before + 200_000);
      store.close();
      const db = openDb(tmp.dbPath);
      expect((db.prepare("SELECT count(*) AS n FROM clicks").get() as { n: number }).n).toBe(8000);
      db.close();
    } finally {
      tmp.cleanup();
    }
  });
});
