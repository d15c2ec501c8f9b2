import { describe, expect, it } from "vitest";
import { openAndMigrate } from "../../src/bootstrap";
import { ClientClickStore, NativeClickStore, ROWS_PER_STATEMENT, type ClickStore } from "../../src/db/queries/clicks";
import type { ClickRow } from "../../src/services/tracking/clickEvent";
import { openDb, tempDbPath } from "./server";

/**
 * Statements without the sub columns serve chunks of clicks that carry no sub ids; every row
 * must still be stored exactly as given, whichever statement a chunk gets.
 */
function rows(): ClickRow[] {
  const t0 = Date.UTC(2026, 10, 20, 22);
  return Array.from({ length: ROWS_PER_STATEMENT * 3 + 7 }, (_, i) => ({
    id: `clk-${i.toString().padStart(5, "0")}`, ts: t0 + i, programNum: 1, linkNum: 1 + (i % 2), partnerNum: 1,
    bot: i % 11 === 0, browser: i % 5 ? "Chrome" : null, os: i % 7 ? "Windows" : null, device: i % 11 === 0 ? "bot" : "desktop",
    country: i % 3 ? "DE" : null, referrerHost: i % 4 ? null : "blog.example.net",
    // the first chunk has no sub ids at all, the second a few, the third and the rest many
    subs: i < ROWS_PER_STATEMENT || (i < 2 * ROWS_PER_STATEMENT && i % 37) || i % 3 === 0 ? null : [`a${i}`, null, i % 2 ? "c" : null, null, `e${i}`],
    visitor: 1000 + i,
  }));
}

async function stored(make: (dbPath: string, database: { client: unknown }) => ClickStore) {
  const tmp = tempDbPath("afflux-clickstore-");
  try {
    const { database } = await openAndMigrate(`file:${tmp.dbPath}`, undefined, "clickstore-secret-0123456789abcdef");
    const store = make(tmp.dbPath, database);
    const all = rows();
    await store.insert(all);
    await store.insert(all.slice(0, 50)); // replayed: stored once
    store.close();
    database.close();
    const db = openDb(tmp.dbPath);
    try {
      return db.prepare("SELECT * FROM clicks ORDER BY seq").all() as Record<string, unknown>[];
    } finally {
      db.close();
    }
  } finally {
    tmp.cleanup();
  }
}

function expected(): Record<string, unknown>[] {
  return rows().map((r, i) => ({
    seq: i + 1, id: r.id, ts: r.ts, program_num: r.programNum, link_num: r.linkNum, partner_num: r.partnerNum, bot: r.bot ? 1 : 0,
    browser: r.browser, os: r.os, device: r.device, country: r.country, referrer_host: r.referrerHost,
    sub1: r.subs?.[0] ?? null, sub2: r.subs?.[1] ?? null, sub3: r.subs?.[2] ?? null, sub4: r.subs?.[3] ?? null, sub5: r.subs?.[4] ?? null,
    visitor: r.visitor,
  }));
}

describe("click stores", () => {
  it("store every click exactly, with and without sub ids (native store)", async () => {
    expect(await stored((path) => new NativeClickStore(path))).toEqual(expected());
  });

  it("store every click exactly, with and without sub ids (client store)", async () => {
    expect(await stored((_, database) => new ClientClickStore(database.client as ConstructorParameters<typeof ClientClickStore>[0]))).toEqual(expected());
  });
});
