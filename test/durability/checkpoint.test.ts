import { statSync } from "node:fs";
import Native from "libsql";
import { describe, expect, it } from "vitest";
import { openAndMigrate } from "../../src/bootstrap";
import { CheckpointWorker } from "../../src/db/checkpoints";
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

  it("starts the WAL over under steady writes (PASSIVE alone lets it grow for as long as writes go on)", async () => {
    const tmp = tempDbPath("afflux-walrestart-");
    const writer = new Native(tmp.dbPath);
    writer.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 0; CREATE TABLE t (x BLOB)");
    let catchUps = 0;
    const checkpoints = new CheckpointWorker(tmp.dbPath, () => ({
      open: writer.open,
      exec: (sql: string) => {
        if (sql.includes("wal_checkpoint")) catchUps++;
        return writer.exec(sql);
      },
    }), 200);
    try {
      const insert = writer.prepare("INSERT INTO t VALUES (randomblob(3000))");
      const walSize = () => statSync(`${tmp.dbPath}-wal`).size;
      let commits = 0;
      let halfway = 0;
      const start = Date.now();
      while (Date.now() < start + 3000) {
        insert.run([]);
        commits++;
        checkpoints.maybeRun();
        if (!halfway && Date.now() >= start + 1500) halfway = walSize();
        await sleep(1);
      }
      expect(commits).toBeGreaterThan(500);
      expect(catchUps, "the writer caught up on the worker's checkpoints").toBeGreaterThan(0);
      // The file never shrinks, but once the WAL starts over it stops growing: without restarts
      // the second half of the writes would double it.
      expect(walSize()).toBeLessThan(halfway * 1.3);
      expect((writer.prepare("SELECT count(*) AS n FROM t").get([]) as { n: number }).n).toBe(commits);
    } finally {
      checkpoints.close();
      writer.close();
      tmp.cleanup();
    }
  });
});
