import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openAndMigrate } from "../../src/bootstrap";
import { ClientClickStore } from "../../src/db/queries/clicks";
import type { ClickEvent, ClickRow } from "../../src/services/tracking/clickEvent";
import { QueueClickSink, type ClickQueue } from "../../workers/queueSink";

const SECRET = "queue-sink-secret-0123456789";

function event(i: number): ClickEvent {
  return {
    id: `click-${i}`, ts: Date.UTC(2026, 10, 1) + i, programNum: 1, linkNum: 1, partnerNum: 1, bot: false,
    userAgent: "Mozilla/5.0 Chrome/120", ip: `198.51.100.${i}`, referer: null, country: "DE", subs: null,
  };
}

/** The sink's contract with the Queue binding (Cloudflare's, not ours): accept or throw. */
class RecordingQueue implements ClickQueue {
  sent: ClickRow[] = [];
  constructor(private readonly failing: boolean) {}
  async send(body: ClickRow) {
    if (this.failing) throw new Error("queue unavailable");
    this.sent.push(body);
  }
  async sendBatch(messages: Iterable<{ body: ClickRow }>) {
    if (this.failing) throw new Error("queue unavailable");
    for (const m of messages) this.sent.push(m.body);
  }
}

describe("the Worker's queue click sink", () => {
  let db: Awaited<ReturnType<typeof openAndMigrate>>["database"];
  beforeEach(async () => { db = (await openAndMigrate(":memory:", undefined, SECRET)).database; });
  afterEach(() => db.close());

  it("sends enriched rows, never the raw IP", async () => {
    const queue = new RecordingQueue(false);
    const sink = new QueueClickSink(queue, new ClientClickStore(db.client), SECRET, () => {});
    sink.push(event(1));
    sink.push(event(2));
    await sink.drain();
    expect(queue.sent.map((r) => r.id)).toEqual(["click-1", "click-2"]);
    expect(JSON.stringify(queue.sent)).not.toContain("198.51.100.");
    expect(sink.drain()).toBeNull();
  });

  it("writes the clicks straight to libSQL when the queue refuses them, once each", async () => {
    const logs: string[] = [];
    const sink = new QueueClickSink(new RecordingQueue(true), new ClientClickStore(db.client), SECRET, (m) => logs.push(m));
    sink.push(event(1));
    await sink.drain();
    for (const i of [1, 2, 3]) sink.push(event(i)); // click-1 again: stored once
    await sink.drain();
    const rows = await db.client.execute("SELECT id FROM clicks ORDER BY id");
    expect(rows.rows.map((r) => r.id)).toEqual(["click-1", "click-2", "click-3"]);
    const counts = await db.client.execute("SELECT clicks FROM link_click_counts WHERE link_num = 1");
    expect(counts.rows[0]?.clicks).toBe(3);
    expect(logs.join("\n")).toMatch(/queue send failed/);
  });
});
