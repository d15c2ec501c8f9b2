import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addPartner, BOT_UA, clickWith, createFixture, createTestApp, expectError, MOBILE_UA, okJson, postConversion, postRefund, type TestApp } from "../helpers/app";

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 10, 12); // 2026-11-10
type Fixture = Awaited<ReturnType<typeof createFixture>>;
interface Row { key: string | null; clicks: number; uniqueClicks: number; botClicks: number; conversions: number; revenue: string; commission: string }

const pick = (r: Row) => ({ key: r.key, clicks: r.clicks, uniqueClicks: r.uniqueClicks, botClicks: r.botClicks, conversions: r.conversions, revenue: r.revenue, commission: r.commission });
const byKey = (rows: Row[]) => rows.map(pick).sort((a, b) => String(a.key).localeCompare(String(b.key)));
const row = (key: string | null, clicks: number, uniqueClicks: number, botClicks: number, conversions: number, revenue: string, commission: string): Row =>
  ({ key, clicks, uniqueClicks, botClicks, conversions, revenue, commission });
const totalsOf = (r: Row) => { const { key: _key, ...rest } = r; return rest; };

describe("reports", () => {
  let t: TestApp;
  let f: Fixture;
  let bob: { id: string; apiKey: string };
  let bobLink: { id: string; slug: string };
  beforeEach(async () => {
    t = await createTestApp({ now: T0 });
    f = await createFixture(t);
    const added = await addPartner(t, f.vendorKey, f.program.id, { name: "Bob", email: "bob@example.com", coupon: "BOB" }, { slug: "bob1" });
    bob = added.partner;
    bobLink = added.link!;
  });
  afterEach(async () => { await t.close(); });

  const report = async (query: string, key = f.vendorKey) => okJson(await t.request(`/api/v1/programs/${f.program.id}/report?${query}`, { key }));
  const sale = async (orderId: string, amount: string, extra: Record<string, unknown>) => okJson(await postConversion(t, f.postbackKey, { orderId, event: "sale", amount, ...extra }), 201);

  /** Mixed traffic on 2026-11-10 (see the expectations below). */
  async function traffic() {
    const annaDe = await clickWith(t, "anna", { query: "?sub1=news", country: "DE", ip: "198.51.100.1" });
    await clickWith(t, "anna", { ua: MOBILE_UA, country: "US", ip: "198.51.100.2" });
    await clickWith(t, "anna", { ua: BOT_UA, country: "DE", ip: "198.51.100.3" });
    await clickWith(t, "bob1", { query: "?sub1=news&sub2=x", country: "DE", ip: "198.51.100.4" });
    await t.flushClicks();
    await sale("o1", "100.00", { clickId: annaDe }); // anna, link anna, DE, desktop, news: 20.00
    await sale("o2", "50.00", { coupon: "BOB" }); // bob, no link, no click dimensions: 10.00
  }

  it("groups by day, zero-filled over from..to, with totals", async () => {
    await clickWith(t, "anna", { ip: "198.51.100.1" });
    await clickWith(t, "anna", { ip: "198.51.100.1" });
    await clickWith(t, "anna", { ip: "198.51.100.2" });
    await clickWith(t, "anna", { ua: BOT_UA });
    const annaClick = await clickWith(t, "anna", { ip: "198.51.100.9" });
    t.clock.now = T0 + 2 * DAY;
    await clickWith(t, "bob1");
    await t.flushClicks();
    await sale("o1", "100.00", { clickId: annaClick, occurredAt: new Date(T0 + 60_000).toISOString() });
    await sale("o2", "50.00", { coupon: "BOB" });

    const r = await report("from=2026-11-09&to=2026-11-13&groupBy=day");
    expect(r.rows.map(pick)).toEqual([
      row("2026-11-09", 0, 0, 0, 0, "0.00", "0.00"),
      row("2026-11-10", 4, 3, 1, 1, "100.00", "20.00"),
      row("2026-11-11", 0, 0, 0, 0, "0.00", "0.00"),
      row("2026-11-12", 1, 1, 0, 1, "50.00", "10.00"),
      row("2026-11-13", 0, 0, 0, 0, "0.00", "0.00"),
    ]);
    expect(totalsOf(pick({ key: null, ...r.totals }))).toEqual(totalsOf(row(null, 5, 4, 1, 2, "150.00", "30.00")));

    const one = await report("from=2026-11-12&to=2026-11-12&groupBy=day");
    expect(one.rows.map(pick)).toEqual([row("2026-11-12", 1, 1, 0, 1, "50.00", "10.00")]);
    expect(one.totals).toMatchObject({ clicks: 1, conversions: 1, revenue: "50.00", commission: "10.00" });
  });

  it("defaults to the 30 days up to today, grouped by day", async () => {
    const r = await report("");
    expect(r.rows).toHaveLength(30);
    expect(r.rows[0].key).toBe("2026-10-12");
    expect(r.rows[29].key).toBe("2026-11-10");
  });

  it("buckets conversions by occurredAt, not by when they were reported", async () => {
    await sale("late", "80.00", { coupon: "ANNA10", occurredAt: "2026-11-03T23:59:59.999Z" });
    const r = await report("from=2026-11-03&to=2026-11-04");
    expect(r.rows.map(pick)).toEqual([row("2026-11-03", 0, 0, 0, 1, "80.00", "16.00"), row("2026-11-04", 0, 0, 0, 0, "0.00", "0.00")]);
    expect((await report("from=2026-11-10&to=2026-11-10")).totals.conversions).toBe(0);
  });

  it("groups by partner (ids), link (ids, null without a link) and country (CF-IPCountry, null when unknown)", async () => {
    await traffic();
    const q = "from=2026-11-10&to=2026-11-10&groupBy=";
    expect(byKey((await report(q + "partner")).rows)).toEqual(byKey([
      row(f.partner.id, 2, 2, 1, 1, "100.00", "20.00"),
      row(bob.id, 1, 1, 0, 1, "50.00", "10.00"),
    ]));
    expect(byKey((await report(q + "link")).rows)).toEqual(byKey([
      row(f.link.id, 2, 2, 1, 1, "100.00", "20.00"),
      row(bobLink.id, 1, 1, 0, 0, "0.00", "0.00"),
      row(null, 0, 0, 0, 1, "50.00", "10.00"),
    ]));
    expect(byKey((await report(q + "country")).rows)).toEqual(byKey([
      row("DE", 2, 2, 1, 1, "100.00", "20.00"),
      row("US", 1, 1, 0, 0, "0.00", "0.00"),
      row(null, 0, 0, 0, 1, "50.00", "10.00"),
    ]));
  });

  it("groups by device and by sub1 (from ?sub1=)", async () => {
    await traffic();
    const q = "from=2026-11-10&to=2026-11-10&groupBy=";
    expect(byKey((await report(q + "device")).rows)).toEqual(byKey([
      row("desktop", 2, 2, 0, 1, "100.00", "20.00"),
      row("mobile", 1, 1, 0, 0, "0.00", "0.00"),
      row("bot", 0, 0, 1, 0, "0.00", "0.00"),
      row(null, 0, 0, 0, 1, "50.00", "10.00"),
    ]));
    expect(byKey((await report(q + "sub1")).rows)).toEqual(byKey([
      row("news", 2, 2, 0, 1, "100.00", "20.00"),
      row(null, 1, 1, 1, 1, "50.00", "10.00"),
    ]));
  });

  it("every grouping has the same totals", async () => {
    await traffic();
    for (const g of ["day", "partner", "link", "country", "device", "sub1"]) {
      const r = await report(`from=2026-11-10&to=2026-11-10&groupBy=${g}`);
      expect(r.totals, g).toMatchObject({ clicks: 3, uniqueClicks: 3, botClicks: 1, conversions: 2, revenue: "150.00", commission: "30.00" });
    }
  });

  it("answers CSV with format=csv", async () => {
    await traffic();
    const res = await t.request(`/api/v1/programs/${f.program.id}/report?from=2026-11-10&to=2026-11-11&groupBy=day&format=csv`, { key: f.vendorKey });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
    const lines = (await res.text()).trimEnd().split("\r\n").map((l) => l.split(","));
    expect(lines[0]!.slice(0, 7)).toEqual(["key", "clicks", "uniqueClicks", "botClicks", "conversions", "revenue", "commission"]);
    expect(lines.slice(1).map((l) => l.slice(0, 7))).toEqual([
      ["2026-11-10", "3", "3", "1", "2", "150.00", "30.00"],
      ["2026-11-11", "0", "0", "0", "0", "0.00", "0.00"],
    ]);
    const byCountry = await t.request(`/api/v1/programs/${f.program.id}/report?from=2026-11-10&to=2026-11-10&groupBy=country&format=csv`, { key: f.vendorKey });
    const rows = (await byCountry.text()).trimEnd().split("\r\n").slice(1).map((l) => l.split(",").slice(0, 7)).sort();
    expect(rows).toEqual([["", "0", "0", "0", "1", "50.00", "10.00"], ["DE", "2", "2", "1", "1", "100.00", "20.00"], ["US", "1", "1", "0", "0", "0.00", "0.00"]]);
  });

  it("400 for bad dates, from after to, unknown groupBy or format", async () => {
    for (const q of [
      "from=2026-13-01&to=2026-12-31", "from=2026-11-01&to=2026-11-32", "from=20261101&to=2026-11-02", "from=yesterday", "to=2026/11/02",
      "from=2026-11-10&to=2026-11-09", "from=2020-01-01&to=2026-11-10", "groupBy=week", "format=xml",
    ]) {
      await expectError(await t.request(`/api/v1/programs/${f.program.id}/report?${q}`, { key: f.vendorKey }), 400, "validation_failed");
    }
  });

  it("404 for another vendor's program; 403 for a partner key", async () => {
    const other = await createFixture(t, { link: { slug: "other" } });
    await expectError(await t.request(`/api/v1/programs/${f.program.id}/report`, { key: other.vendorKey }), 404, "not_found");
    await expectError(await t.request(`/api/v1/programs/${f.program.id}/report`, { key: f.partner.apiKey }), 403, "forbidden");
    await expectError(await t.request("/api/v1/me/report", { key: f.vendorKey }), 403, "forbidden");
  });

  it("counts bots only as botClicks, never as clicks or unique clicks", async () => {
    for (const ua of [BOT_UA, "curl/8.4.0", "python-requests/2.31", ""]) await clickWith(t, "anna", { ua });
    await clickWith(t, "anna");
    await t.flushClicks();
    expect((await report("from=2026-11-10&to=2026-11-10")).totals).toMatchObject({ clicks: 1, uniqueClicks: 1, botClicks: 4 });
  });

  it("uniqueClicks: one per visitor (IP + user agent) per link per day, summed", async () => {
    const ip1 = "198.51.100.1";
    await clickWith(t, "anna", { ip: ip1 });
    await clickWith(t, "anna", { ip: ip1 }); // same visitor, same link, same day
    await clickWith(t, "anna", { ip: ip1, query: "?sub1=again", country: "FR" }); // still the same visitor
    await clickWith(t, "anna", { ip: ip1, ua: MOBILE_UA }); // another user agent: another visitor
    await clickWith(t, "anna", { ip: "198.51.100.2" }); // another IP
    await clickWith(t, "bob1", { ip: ip1 }); // same visitor, another link
    await t.flushClicks();
    await clickWith(t, "anna", { ip: ip1 }); // a later batch: still not unique
    await t.flushClicks();
    t.clock.now += DAY;
    await clickWith(t, "anna", { ip: ip1 }); // next day: unique again
    await t.flushClicks();
    const r = await report("from=2026-11-10&to=2026-11-11");
    expect(r.rows.map((x: Row) => [x.key, x.clicks, x.uniqueClicks])).toEqual([["2026-11-10", 7, 4], ["2026-11-11", 1, 1]]);
    expect(r.totals).toMatchObject({ clicks: 8, uniqueClicks: 5 });
    const links = await report("from=2026-11-10&to=2026-11-10&groupBy=link");
    expect(byKey(links.rows).map((x) => [x.key, x.clicks, x.uniqueClicks])).toEqual(byKey([row(f.link.id, 6, 3, 0, 0, "", ""), row(bobLink.id, 1, 1, 0, 0, "", "")]).map((x) => [x.key, x.clicks, x.uniqueClicks]));
  });

  it("refunds reduce revenue and commission; a full refund removes the conversion", async () => {
    await sale("o1", "100.00", { coupon: "ANNA10" });
    await sale("o2", "40.00", { coupon: "ANNA10" });
    const q = "from=2026-11-10&to=2026-11-10";
    expect((await report(q)).totals).toMatchObject({ conversions: 2, revenue: "140.00", commission: "28.00" });
    await okJson(await postRefund(t, f.postbackKey, { orderId: "o1", amount: "25.00" }));
    expect((await report(q)).totals).toMatchObject({ conversions: 2, revenue: "115.00", commission: "23.00" });
    await okJson(await postRefund(t, f.postbackKey, { orderId: "o1", amount: "74.99" }));
    expect((await report(q)).totals).toMatchObject({ conversions: 2, revenue: "40.01", commission: "8.00" }); // 20.00 × 0.01 ÷ 100.00 = 0.002 → 0.00
    await okJson(await postRefund(t, f.postbackKey, { orderId: "o1" }));
    expect((await report(q)).totals).toMatchObject({ conversions: 1, revenue: "40.00", commission: "8.00" });
    await okJson(await postRefund(t, f.postbackKey, { orderId: "o2" }));
    expect((await report(q)).totals).toMatchObject({ conversions: 0, revenue: "0.00", commission: "0.00" });
  });

  it("a rejected commission leaves the conversion and its revenue but not its commission", async () => {
    const a = await sale("o1", "100.00", { coupon: "ANNA10" });
    await sale("o2", "10.00", { coupon: "ANNA10" });
    await okJson(await t.request(`/api/v1/commissions/${a.commission.id}/reject`, { method: "POST", key: f.vendorKey }));
    expect((await report("from=2026-11-10&to=2026-11-10")).totals).toMatchObject({ conversions: 2, revenue: "110.00", commission: "2.00" });
    // a later partial refund of the rejected one changes its revenue only
    await okJson(await postRefund(t, f.postbackKey, { orderId: "o1", amount: "50.00" }));
    expect((await report("from=2026-11-10&to=2026-11-10")).totals).toMatchObject({ conversions: 2, revenue: "60.00", commission: "2.00" });
  });

  it("unattributed conversions and bot-click conversions do not count", async () => {
    const botClick = await clickWith(t, "anna", { ua: BOT_UA });
    await t.flushClicks();
    expect((await sale("u1", "100.00", { clickId: botClick })).reason).toBe("bot_click");
    expect((await sale("u2", "100.00", {})).reason).toBe("no_identifier");
    expect((await sale("u3", "100.00", { coupon: "NOPE" })).reason).toBe("coupon_unknown");
    expect((await report("from=2026-11-10&to=2026-11-10")).totals).toMatchObject({ clicks: 0, botClicks: 1, conversions: 0, revenue: "0.00", commission: "0.00" });
  });

  it("GET /api/v1/me/report shows only the partner's own numbers", async () => {
    await traffic();
    const q = "from=2026-11-10&to=2026-11-10";
    const anna = await okJson(await t.request(`/api/v1/me/report?${q}`, { key: f.partner.apiKey }));
    expect(anna.totals).toMatchObject({ clicks: 2, uniqueClicks: 2, botClicks: 1, conversions: 1, revenue: "100.00", commission: "20.00" });
    const bobs = await okJson(await t.request(`/api/v1/me/report?${q}`, { key: bob.apiKey }));
    expect(bobs.totals).toMatchObject({ clicks: 1, uniqueClicks: 1, botClicks: 0, conversions: 1, revenue: "50.00", commission: "10.00" });
    expect((await okJson(await t.request(`/api/v1/me/report?${q}&groupBy=partner`, { key: bob.apiKey }))).rows.map(pick)).toEqual([row(bob.id, 1, 1, 0, 1, "50.00", "10.00")]);
    const bobLinks = await okJson(await t.request(`/api/v1/me/report?${q}&groupBy=link`, { key: bob.apiKey }));
    expect(byKey(bobLinks.rows)).toEqual(byKey([row(bobLink.id, 1, 1, 0, 0, "0.00", "0.00"), row(null, 0, 0, 0, 1, "50.00", "10.00")]));
    const annaCountries = await okJson(await t.request(`/api/v1/me/report?${q}&groupBy=country`, { key: f.partner.apiKey }));
    expect(byKey(annaCountries.rows)).toEqual(byKey([row("DE", 1, 1, 1, 1, "100.00", "20.00"), row("US", 1, 1, 0, 0, "0.00", "0.00")]));
    const csv = await t.request(`/api/v1/me/report?${q}&format=csv`, { key: bob.apiKey });
    expect(csv.headers.get("content-type")).toMatch(/^text\/csv/);
    expect((await csv.text()).trimEnd().split("\r\n")[1]!.split(",").slice(0, 7)).toEqual(["2026-11-10", "1", "1", "0", "1", "50.00", "10.00"]);
  });
  it("a sale moments after its click, before the click is stored, still reports under the click's country, device and sub1", async () => {
    const clickId = await clickWith(t, "anna", { query: "?sub1=flash", ua: MOBILE_UA, country: "FR", ip: "198.51.100.9" });
    await sale("fast-1", "80.00", { clickId }); // the click waits in the sink: nothing flushed yet
    await t.flushClicks();
    const q = "from=2026-11-10&to=2026-11-10";
    expect(byKey((await report(`${q}&groupBy=country`)).rows)).toEqual([row("FR", 1, 1, 0, 1, "80.00", "16.00")]);
    expect(byKey((await report(`${q}&groupBy=device`)).rows)).toEqual([row("mobile", 1, 1, 0, 1, "80.00", "16.00")]);
    expect(byKey((await report(`${q}&groupBy=sub1`)).rows)).toEqual([row("flash", 1, 1, 0, 1, "80.00", "16.00")]);
  });
});
