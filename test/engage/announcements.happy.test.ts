import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestApp, okJson, sqlRows, type TestApp } from "../helpers/app";
import { engageFixture } from "./fixture";

let t: TestApp;
let f: Awaited<ReturnType<typeof engageFixture>>;
beforeEach(async () => {
  t = await createTestApp();
  f = await engageFixture(t);
});
afterEach(() => t.close());

describe("announcements", () => {
  it("publishes to all partners; each sees it newest first with readAt, marks it read once (idempotent)", async () => {
    const first = await okJson(await f.announce({ title: "Spring sale", body: "20% off from Monday." }), 201);
    expect(first).toMatchObject({ programId: f.program.id, title: "Spring sale", body: "20% off from Monday.", tierIds: null });
    expect(new Date(first.publishedAt).getTime()).toBe(t.clock.now);
    t.clock.now += 1000;
    const second = await okJson(await f.announce({ title: "New banners", body: "In the portal." }), 201);
    for (const p of [f.anna, f.ben, f.cleo]) {
      const list = await f.mine(p.apiKey);
      expect(list.data.map((a: { id: string }) => a.id)).toEqual([second.id, first.id]);
      expect(list.data.every((a: { readAt: string | null }) => a.readAt === null)).toBe(true);
      expect(list.nextCursor).toBeNull();
    }
    t.clock.now += 1000;
    const read = await okJson(await f.read(f.anna.apiKey, first.id));
    expect(read).toMatchObject({ id: first.id, readAt: new Date(t.clock.now).toISOString() });
    t.clock.now += 5000;
    expect((await okJson(await f.read(f.anna.apiKey, first.id))).readAt).toBe(read.readAt);
    const after = await f.mine(f.anna.apiKey);
    expect(after.data.map((a: { readAt: string | null }) => a.readAt)).toEqual([null, read.readAt]);
    expect((await f.mine(f.anna.apiKey, "?unread=true")).data.map((a: { id: string }) => a.id)).toEqual([second.id]);
    expect((await f.mine(f.ben.apiKey)).data[1].readAt).toBeNull();
    const managed = await okJson(await t.request(`/api/v1/programs/${f.program.id}/announcements`, { key: f.vendorKey }));
    expect(managed.data.map((a: { id: string; readCount: number }) => [a.id, a.readCount])).toEqual([[second.id, 0], [first.id, 1]]);
  });

  it("pages the partner's and the manager's lists by cursor", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.unshift((await okJson(await f.announce({ title: `News ${i}`, body: "x" }), 201)).id);
      t.clock.now += 1;
    }
    const seen: string[] = [];
    let cursor: string | null = "";
    while (cursor !== null) {
      const page: { data: { id: string }[]; nextCursor: string | null } = await f.mine(f.ben.apiKey, `?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      expect(page.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.data.map((a) => a.id));
      cursor = page.nextCursor;
    }
    expect(seen).toEqual(ids);
    const m1 = await okJson(await t.request(`/api/v1/programs/${f.program.id}/announcements?limit=3`, { key: f.vendorKey }));
    const m2 = await okJson(await t.request(`/api/v1/programs/${f.program.id}/announcements?limit=3&cursor=${m1.nextCursor}`, { key: f.vendorKey }));
    expect([...m1.data, ...m2.data].map((a: { id: string }) => a.id)).toEqual(ids);
    expect(m2.nextCursor).toBeNull();
  });

  it("writes announcement.published in the outbox (and the audit log) and one mail per approved recipient, with the publication", async () => {
    await t.request(`/api/v1/partners/${f.ben.id}`, { method: "PATCH", key: f.vendorKey, json: { status: "deactivated" } });
    const a = await okJson(await f.announce({ title: "Gold only", body: "A bonus for you.", tierIds: [f.tierA, f.tierB, f.tierA] }), 201);
    expect(a.tierIds).toEqual([f.tierA, f.tierB]);
    const events = await sqlRows(t, "SELECT type, action, object_type, data, actor_kind FROM events WHERE object_id = ?", [a.id]);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: "announcement.published", action: "announcement.publish", object_type: "announcement", actor_kind: "vendor" });
    expect(JSON.parse(String(events[0]!.data))).toEqual(a);
    const mails = await sqlRows(t, "SELECT \"to\", kind, subject, body, status FROM mails WHERE kind = 'announcement' ORDER BY \"to\"");
    // Ben is deactivated: no mail for him
    expect(mails.map((m) => m.to)).toEqual(["anna@example.com", "cleo@example.com"]);
    expect(mails[0]).toMatchObject({ subject: "Acme Shop: Gold only", status: "queued" });
    expect(String(mails[0]!.body)).toContain("A bonus for you.");
    expect(String(mails[0]!.body)).toContain("Hello Anna");
  });

  it("a tier-B announcement reaches only tier B, in the list and in the mails", async () => {
    const b = await okJson(await f.announce({ title: "For Gold", body: "Gold news.", tierIds: [f.tierB] }), 201);
    expect((await f.mine(f.cleo.apiKey)).data.map((x: { id: string }) => x.id)).toEqual([b.id]);
    expect((await f.mine(f.anna.apiKey)).data).toEqual([]);
    t.clock.now += 1000;
    const all = await okJson(await f.announce({ title: "For all", body: "Everyone." }), 201);
    const byTier = async (tierId: string) => (await okJson(await t.request(`/api/v1/programs/${f.program.id}/announcements?tierId=${tierId}`, { key: f.vendorKey }))).data.map((x: { id: string }) => x.id);
    expect(await byTier(f.tierA)).toEqual([all.id]);
    expect(await byTier(f.tierB)).toEqual([all.id, b.id]);
    const mails = await sqlRows(t, "SELECT \"to\" FROM mails WHERE kind = 'announcement' AND dedupe_key LIKE ?", [`announcement:${b.id}:%`]);
    expect(mails).toEqual([{ to: "cleo@example.com" }]);
  });
});
