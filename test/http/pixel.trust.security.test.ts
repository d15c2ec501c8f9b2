import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  addPartner, BOT_UA, click, countRows, createFixture, createTestApp, okJson, postConversion, sqlRows, type TestApp,
} from "../helpers/app";

// The attacks of issue 9 (findings 1–3): a partner of the program holding only the public key,
// which sits in every vendor page, tries to take another partner's commission with the pixel.
// Anna is the honest partner whose link the buyer clicked; Mallory is the attacker.

type Fixture = Awaited<ReturnType<typeof createFixture>>;

const px = (t: TestApp, params: Record<string, string>) => t.request(`/px.gif?${new URLSearchParams(params)}`);

describe("pixel trust: what the pixel may and may not decide", () => {
  let t: TestApp;
  let f: Fixture;
  let mallory: { id: string; apiKey: string };
  let anna: string;

  beforeEach(async () => {
    t = await createTestApp();
    f = await createFixture(t);
    anna = f.partner.id;
    const added = await addPartner(t, f.vendorKey, f.program.id, { name: "Mallory", email: "mallory@example.com" }, { slug: "mallory" });
    mallory = added.partner;
  });
  afterEach(async () => { await t.close(); });

  const malloryBalance = async () => (await okJson(await t.request("/api/v1/me", { key: mallory.apiKey }))).balance;

  it("order squatting: the shop's postback decides afresh, the squatter gets nothing", async () => {
    const squat = await click(t, "mallory");
    await px(t, { pk: f.publicKey, order: "o-1001", amount: "100.00", click: squat });
    expect(await countRows(t, "conversions")).toBe(1);

    const buyer = await click(t, "anna");
    const res = await postConversion(t, f.postbackKey, { orderId: "o-1001", event: "sale", amount: "100.00", clickId: buyer });
    const body = await okJson(res, 200);
    expect(body).toMatchObject({
      source: "postback", status: "attributed",
      attribution: { partnerId: anna, linkId: f.link.id, clickId: buyer, via: "click" },
      commission: { amount: "20.00", status: "pending" },
    });
    expect(await sqlRows(t, "SELECT partner_id, status FROM commissions")).toEqual([{ partner_id: anna, status: "pending" }]);
    expect(await malloryBalance()).toEqual({ hold: "0.00", pending: "0.00", approved: "0.00", paid: "0.00" });
    // the reports count the sale for Anna only
    const day = new Date(t.clock.now).toISOString().slice(0, 10);
    const report = await okJson(await t.request(`/api/v1/programs/${f.program.id}/report?from=${day}&to=${day}&groupBy=partner`, { key: f.vendorKey }));
    expect(report.rows.filter((r: { conversions: number }) => r.conversions > 0)).toEqual([expect.objectContaining({ key: anna, conversions: 1, revenue: "100.00", commission: "20.00" })]);
  });

  it("a superseding postback whose identifiers attribute to no one leaves the conversion unattributed, with no commission", async () => {
    const squat = await click(t, "mallory");
    await px(t, { pk: f.publicKey, order: "o-1002", amount: "100.00", click: squat });
    const body = await okJson(await postConversion(t, f.postbackKey, { orderId: "o-1002", event: "sale", amount: "100.00", coupon: "NOSUCHCODE" }), 200);
    expect(body).toMatchObject({ status: "unattributed", reason: "coupon_unknown", attribution: null, commission: null });
    expect(await countRows(t, "commissions")).toBe(0);
    expect(await malloryBalance()).toMatchObject({ hold: "0.00", pending: "0.00" });
  });

  it("a superseding postback without any identifier keeps the pixel's click, and the commission stays in hold", async () => {
    const squat = await click(t, "mallory");
    await px(t, { pk: f.publicKey, order: "o-1003", amount: "100.00", click: squat });
    const body = await okJson(await postConversion(t, f.postbackKey, { orderId: "o-1003", event: "sale", amount: "80.00" }), 200);
    expect(body).toMatchObject({ source: "postback", amount: "80.00", attribution: { partnerId: mallory.id, via: "click" }, commission: { amount: "16.00", status: "hold" } });
  });

  it("customer re-mapping: a pixel never re-points a customer; approval of its commission does", async () => {
    const buyer = await click(t, "anna");
    await okJson(await postConversion(t, f.postbackKey, { orderId: "o-2001", event: "sale", amount: "50.00", clickId: buyer, customerId: "cus_42" }), 201);

    const squat = await click(t, "mallory");
    await px(t, { pk: f.publicKey, order: "o-2002", amount: "50.00", click: squat, customer: "cus_42" });
    const pixelled = await sqlRows(t, "SELECT partner_id FROM conversions WHERE order_id = 'o-2002'");
    expect(pixelled).toEqual([{ partner_id: mallory.id }]);

    const next = await okJson(await postConversion(t, f.postbackKey, { orderId: "o-2003", event: "sale", amount: "50.00", customerId: "cus_42" }), 201);
    expect(next.attribution).toMatchObject({ partnerId: anna, via: "customer" });

    // The manager looks at Mallory's held commission and approves it: now the mapping counts it.
    const [held] = await sqlRows(t, "SELECT c.id FROM commissions c JOIN conversions v ON v.id = c.conversion_id WHERE v.order_id = 'o-2002'");
    await okJson(await t.request(`/api/v1/commissions/${held!.id}/approve`, { method: "POST", key: f.vendorKey }));
    const after = await okJson(await postConversion(t, f.postbackKey, { orderId: "o-2004", event: "sale", amount: "50.00", customerId: "cus_42" }), 201);
    expect(after.attribution).toMatchObject({ partnerId: mallory.id, via: "customer" });
  });

  it("customer re-mapping: with first_click, an unconfirmed pixel's earlier click does not win either", async () => {
    await t.request(`/api/v1/programs/${f.program.id}`, { method: "PATCH", key: f.vendorKey, json: { attribution: "first_click" } });
    const squat = await click(t, "mallory");
    t.clock.now += 60_000;
    await px(t, { pk: f.publicKey, order: "o-2101", amount: "50.00", click: squat, customer: "cus_7" });
    const buyer = await click(t, "anna");
    const body = await okJson(await postConversion(t, f.postbackKey, { orderId: "o-2102", event: "sale", amount: "50.00", clickId: buyer, customerId: "cus_7" }), 201);
    expect(body.attribution).toMatchObject({ partnerId: anna, clickId: buyer });
  });

  it("attribution blocking: a pixel without a usable click records nothing, so the real postback attributes", async () => {
    const otherProgram = await okJson(await t.request("/api/v1/programs", { method: "POST", key: f.vendorKey, json: { name: "Other", allowedDomains: ["other.example.com"] } }), 201);
    const other = await okJson(await t.request(`/api/v1/programs/${otherProgram.id}/partners`, { method: "POST", key: f.vendorKey, json: { name: "O", email: "o@example.com" } }), 201);
    await okJson(await t.request("/api/v1/links", { method: "POST", key: f.vendorKey, json: { programId: otherProgram.id, partnerId: other.id, destination: "https://other.example.com/", slug: "other" } }), 201);
    const foreign = await click(t, "other");
    const bot = await click(t, "mallory", "", BOT_UA);
    const stale = await click(t, "mallory");
    const genuine = await click(t, "mallory");
    const forged = genuine.slice(0, -2) + (genuine.endsWith("AA") ? "BB" : "AA");
    t.clock.now += 31 * 86_400_000;
    const attempts: Record<string, string>[] = [
      { order: "o-3001", amount: "10.00" },
      { order: "o-3001", amount: "10.00", click: forged },
      { order: "o-3001", amount: "10.00", click: foreign },
      { order: "o-3001", amount: "10.00", click: bot },
      { order: "o-3001", amount: "10.00", click: stale },
      { order: "o-3001", amount: "10.00", click: "garbage" },
      { order: "o-3001", amount: "10.00", coupon: "ANNA10" },
      { order: "o-3001", amount: "10.00", customer: "cus_1" },
    ];
    for (const a of attempts) await px(t, { pk: f.publicKey, ...a });
    expect(await countRows(t, "conversions")).toBe(0);

    const buyer = await click(t, "anna");
    const body = await okJson(await postConversion(t, f.postbackKey, { orderId: "o-3001", event: "sale", amount: "10.00", clickId: buyer }), 201);
    expect(body).toMatchObject({ status: "attributed", attribution: { partnerId: anna, via: "click" } });
  });

  it("identifiers longer than the postback allows make the pixel record nothing", async () => {
    const squat = await click(t, "mallory");
    await px(t, { pk: f.publicKey, order: "o-4001", amount: "10.00", click: squat, customer: "c".repeat(12_000) });
    await px(t, { pk: f.publicKey, order: "o-4002", amount: "10.00", click: squat, coupon: "C".repeat(2_000) });
    await px(t, { pk: f.publicKey, order: "o".repeat(201), amount: "10.00", click: squat });
    expect(await countRows(t, "conversions")).toBe(0);
    await px(t, { pk: f.publicKey, order: "o-4003", amount: "10.00", click: squat, customer: "c".repeat(200), coupon: "C".repeat(100) });
    expect(await countRows(t, "conversions")).toBe(1);
  });
});
