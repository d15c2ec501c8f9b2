import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { click, createFixture, createTestApp, okJson, postConversion, sqlRows, type TestApp } from "../helpers/app";

const T0 = Date.UTC(2026, 10, 1, 12);
type Fixture = Awaited<ReturnType<typeof createFixture>>;
type Entry = { id: string; at: string; actor: { kind: string; keyId?: string; partnerId?: string }; action: string; object: { type: string; id: string }; changes: Record<string, [unknown, unknown]> };

describe("audit log: every manager and partner change is an entry with its before and after", () => {
  let t: TestApp;
  let f: Fixture;
  let vendorKeyId: string;
  beforeEach(async () => {
    t = await createTestApp({ now: T0 });
    f = await createFixture(t, { program: { holdDays: 0, minPayout: "0" } });
    vendorKeyId = (await sqlRows(t, "SELECT id FROM api_keys WHERE vendor_id = ? AND kind = 'vendor'", [f.vendor.id]))[0]!.id as string;
  });
  afterEach(async () => { await t.close(); });

  const api = (path: string, method = "GET", json?: unknown, key = f.vendorKey) => t.request(path, { method, key, ...(json === undefined ? {} : { json }) });
  const audit = async (query = ""): Promise<{ data: Entry[]; nextCursor: string | null }> => okJson(await api(`/api/v1/audit?programId=${f.program.id}${query}`));
  /** The newest entry about an object (after moving the clock so entries order by time). */
  const latest = async (objectId: string) => (await audit(`&objectId=${objectId}`)).data[0]!;
  const tick = () => { t.clock.now += 1000; };

  it("program settings, rules and tiers: create, update, archive/delete", async () => {
    tick();
    await okJson(await api(`/api/v1/programs/${f.program.id}`, "PATCH", { holdDays: 14, minPayout: "25.00", name: "Shop" }));
    const settings = await latest(f.program.id);
    expect(settings).toMatchObject({ action: "program.update", object: { type: "program", id: f.program.id }, actor: { kind: "vendor", keyId: vendorKeyId } });
    // only what changed: the name was sent unchanged
    expect(settings.changes).toEqual({ holdDays: [0, 14], minPayout: ["0.00", "25.00"] });
    expect(new Date(settings.at).getTime()).toBe(t.clock.now);

    const created = await latest(f.rule.id);
    expect(created).toMatchObject({ action: "rule.create", object: { type: "rule", id: f.rule.id } });
    expect(created.changes.value).toEqual([null, f.rule.value]); // as the API shows the rule
    tick();
    await okJson(await api(`/api/v1/rules/${f.rule.id}`, "PATCH", { value: "25" }));
    expect((await latest(f.rule.id))).toMatchObject({ action: "rule.update", changes: { value: [f.rule.value, "25"] } });
    tick();
    await okJson(await api(`/api/v1/rules/${f.rule.id}`, "DELETE"));
    expect((await latest(f.rule.id))).toMatchObject({ action: "rule.archive", changes: { archived: [false, true] } });

    tick();
    const tier = await okJson(await api(`/api/v1/programs/${f.program.id}/tiers`, "POST", { name: "Gold", rank: 1, metric: "revenue", threshold: "1000.00" }), 201);
    expect(await latest(tier.id)).toMatchObject({ action: "tier.create", object: { type: "tier", id: tier.id }, changes: { name: [null, "Gold"], threshold: [null, "1000.00"] } });
    tick();
    await okJson(await api(`/api/v1/tiers/${tier.id}`, "PATCH", { threshold: "2000.00", windowDays: 30 }));
    expect((await latest(tier.id)).changes).toEqual({ threshold: ["1000.00", "2000.00"], windowDays: [90, 30] });
    tick();
    await okJson(await api(`/api/v1/tiers/${tier.id}`, "DELETE"));
    expect(await latest(tier.id)).toMatchObject({ action: "tier.delete", changes: { archived: [false, true] } });
  });

  it("partners and links: create and update, with a status change; nothing is recorded for a change that changes nothing", async () => {
    const created = await latest(f.partner.id);
    expect(created).toMatchObject({ action: "partner.create", object: { type: "partner", id: f.partner.id }, changes: { name: [null, "Anna"], email: [null, "anna@example.com"] } });
    tick();
    await okJson(await api(`/api/v1/partners/${f.partner.id}`, "PATCH", { status: "deactivated", coupon: null }));
    expect((await latest(f.partner.id)).changes).toEqual({ status: ["approved", "deactivated"], coupon: ["ANNA10", null] });
    const before = (await audit()).data.length;
    await okJson(await api(`/api/v1/partners/${f.partner.id}`, "PATCH", { status: "deactivated" }));
    expect((await audit()).data.length).toBe(before);

    expect(await latest(f.link.id)).toMatchObject({ action: "link.create", changes: { slug: [null, "anna"] } });
    tick();
    await okJson(await api(`/api/v1/links/${f.link.id}`, "PATCH", { destination: "https://shop.example.com/new" }));
    expect((await latest(f.link.id)).changes).toEqual({ destination: ["https://shop.example.com/p", "https://shop.example.com/new"] });
    tick();
    await okJson(await api(`/api/v1/links/${f.link.id}`, "PATCH", { archived: true }));
    expect(await latest(f.link.id)).toMatchObject({ action: "link.archive", changes: { archived: [false, true] } });
  });

  it("a partner's own link is recorded with the partner as actor", async () => {
    tick();
    const link = await okJson(await t.request("/api/v1/me/links", { method: "POST", key: f.partner.apiKey, json: { destination: "https://shop.example.com/mine" } }), 201);
    const entry = await latest(link.id);
    expect(entry.actor.kind).toBe("partner");
    expect(entry.actor.partnerId).toBe(f.partner.id);
  });

  it("commissions approved and rejected, payouts created and paid (batch)", async () => {
    // two held pixel commissions
    const held: string[] = [];
    for (const order of ["h1", "h2"]) {
      const clickId = await click(t, f.link.slug);
      expect((await t.request(`/px.gif?pk=${f.publicKey}&order=${order}&amount=50.00&click=${clickId}`)).status).toBe(200);
      held.push((await sqlRows(t, "SELECT m.id FROM commissions m JOIN conversions c ON c.id = m.conversion_id WHERE c.order_id = ?", [order]))[0]!.id as string);
    }
    tick();
    await okJson(await api(`/api/v1/commissions/${held[0]}/approve`, "POST"));
    expect(await latest(held[0]!)).toMatchObject({ action: "commission.approve", object: { type: "commission", id: held[0] }, changes: { status: ["hold", "pending"] } });
    tick();
    await okJson(await api("/api/v1/commissions/reject", "POST", { ids: [held[1], "com_nope"] }));
    expect(await latest(held[1]!)).toMatchObject({ action: "commission.reject", changes: { status: ["hold", "rejected"] } });
    // a refused decision (rejected cannot be approved) records nothing
    await api(`/api/v1/commissions/${held[1]}/approve`, "POST");
    expect((await audit(`&objectId=${held[1]}`)).data).toHaveLength(1);
    // the outbox row carries the webhook event and the commission as the API shows it
    const [row] = await sqlRows(t, "SELECT type, data FROM events WHERE object_id = ? AND action = 'commission.approve'", [held[0]!]);
    expect(row!.type).toBe("commission.updated");
    expect(JSON.parse(row!.data as string)).toMatchObject({ id: held[0], status: "pending", currency: "USD" });

    const conv = await okJson(await postConversion(t, f.postbackKey, { orderId: "p1", event: "sale", amount: "100.00", clickId: await click(t, f.link.slug) }), 201);
    await okJson(await api(`/api/v1/programs/${f.program.id}/settle`, "POST", {}));
    tick();
    const batch = await okJson(await api(`/api/v1/programs/${f.program.id}/payouts`, "POST"), 201);
    const payout = batch.payouts[0];
    expect(conv.commission.id).toBeTruthy();
    expect(await latest(payout.id)).toMatchObject({ action: "payout.create", object: { type: "payout", id: payout.id }, changes: { status: [null, "pending"], amount: [null, payout.amount] } });
    const [created] = await sqlRows(t, "SELECT type, data FROM events WHERE object_id = ?", [payout.id]);
    expect(created!.type).toBe("payout.created");
    expect(JSON.parse(created!.data as string)).toEqual(payout);
    tick();
    await okJson(await api(`/api/v1/payout-batches/${batch.id}/paid`, "POST"));
    expect(await latest(payout.id)).toMatchObject({ action: "payout.pay", changes: { status: ["pending", "paid"] } });
    expect(await latest(batch.id)).toMatchObject({ action: "payout_batch.paid", object: { type: "payout_batch", id: batch.id } });
    const paid = await okJson(await api(`/api/v1/payouts/${payout.id}`));
    const [paidRow] = await sqlRows(t, "SELECT data FROM events WHERE object_id = ? AND type = 'payout.paid'", [payout.id]);
    expect(JSON.parse(paidRow!.data as string)).toMatchObject({ id: payout.id, status: "paid", paidAt: paid.paidAt });
  });

  it("paging and filters: newest first, by object, by UTC day (to inclusive)", async () => {
    for (let i = 0; i < 5; i++) {
      t.clock.now = T0 + (i + 1) * 86_400_000;
      await okJson(await api(`/api/v1/programs/${f.program.id}`, "PATCH", { cookieDays: 10 + i }));
    }
    const all = await audit(`&objectId=${f.program.id}`);
    expect(all.data.map((e) => e.changes.cookieDays?.[1])).toEqual([14, 13, 12, 11, 10, 30]); // last: program.create, from nothing to the default 30
    const first = await audit(`&objectId=${f.program.id}&limit=2`);
    expect(first.data.map((e) => e.changes.cookieDays![1])).toEqual([14, 13]);
    const second = await audit(`&objectId=${f.program.id}&limit=2&cursor=${first.nextCursor}`);
    expect(second.data.map((e) => e.changes.cookieDays![1])).toEqual([12, 11]);
    const day = (n: number) => new Date(T0 + n * 86_400_000).toISOString().slice(0, 10);
    const range = await audit(`&objectId=${f.program.id}&from=${day(2)}&to=${day(3)}`);
    expect(range.data.map((e) => e.changes.cookieDays![1])).toEqual([12, 11]);
    // every entry is in newest-first order overall too
    const times = (await audit("&limit=100")).data.map((e) => Date.parse(e.at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it("is in the OpenAPI document", async () => {
    const doc = await okJson(await t.request("/api/openapi.json"));
    expect(doc.paths["/api/v1/audit"]?.get).toBeTruthy();
  });
});
