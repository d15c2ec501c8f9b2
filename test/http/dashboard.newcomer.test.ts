import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addPartner, click, createFixture, createTestApp, okJson, postConversion, PUBLIC_URL, type TestApp } from "../helpers/app";
import { csrfOf, signedIn } from "../helpers/dashboard";

// What a new partner manager tripped over in the dashboard and the portal (issue 10, item 5):
// status words instead of CSS values, the right "below the minimum" names, bulk "Mark all paid",
// no "Available" date while a commission waits for review, reversed periods, forms that keep
// what was typed, the portal naming orders and links, the stored window in an explanation.

const T0 = Date.UTC(2026, 5, 10, 12, 0, 0);
const badges = (html: string) => [...html.matchAll(/<span class="badge ([^"]+)">([^<]*)<\/span>/g)].map((m) => [m[1], m[2]]);

describe("dashboard fixes for newcomers", () => {
  let t: TestApp;
  let f: Awaited<ReturnType<typeof createFixture>>;
  let cookie = "";

  beforeEach(async () => {
    t = await createTestApp({ now: T0 });
    f = await createFixture(t, { program: { minPayout: "50.00", holdDays: 0 } });
    await addPartner(t, f.vendorKey, f.program.id, { name: "Ben Below", email: "ben@example.com", coupon: "BEN10" }, { slug: "ben-link" });
    cookie = await signedIn(t, f.vendorKey, "app");
  });
  afterEach(async () => { await t.close(); });

  const get = (path: string, c = cookie) => t.request(`${PUBLIC_URL}${path}`, { headers: { cookie: c } });
  async function post(path: string, fields: Record<string, string>, from: string, c = cookie) {
    const csrf = csrfOf(await (await get(from, c)).text());
    return t.request(`${PUBLIC_URL}${path}`, {
      method: "POST", redirect: "manual",
      headers: { cookie: c, origin: PUBLIC_URL, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ _csrf: csrf, ...fields }).toString(),
    });
  }
  /** Follows a 303 with the cookies it set (flash, typed values). */
  async function follow(res: Response, c = cookie) {
    expect(res.status).toBe(303);
    const set = res.headers.getSetCookie().map((s) => s.split(";")[0]!).filter((s) => !s.endsWith("="));
    return (await t.request(new URL(res.headers.get("location")!, PUBLIC_URL).href, { headers: { cookie: [c, ...set].join("; ") } })).text();
  }
  const sale = async (orderId: string, amount: string, coupon: string) =>
    okJson(await postConversion(t, f.postbackKey, { orderId, event: "sale", amount, currency: "USD", coupon }), 201);

  async function approvedFor() {
    await sale("a-1", "200.00", "ANNA10"); // Anna: 40.00 + 40.00 = 80.00, above the 50.00 minimum
    await sale("a-2", "200.00", "ANNA10");
    await sale("b-1", "100.00", "BEN10"); // Ben: 20.00, below it
    t.clock.now += 60_000;
    await okJson(await t.request(`/api/v1/programs/${f.program.id}/settle`, { method: "POST", key: f.vendorKey, json: {} }));
  }

  it("the next payout run names the partners below the minimum, with their amounts", async () => {
    await approvedFor();
    const html = await (await get(`/app/p/${f.program.id}/payouts`)).text();
    const below = /<p class="small muted" id="below-minimum">([^]*?)<\/p>/.exec(html)?.[1] ?? "";
    expect(below).toContain("1 more partner stays below the $50.00 minimum and carries over");
    expect(below).toContain("Ben Below $20.00");
    expect(below).not.toContain("Anna");
    expect(html).toContain("Anna $80.00");
  });

  it("payout badges read Pending / Paid in the list, on the payout page and in the portal, never pending-p", async () => {
    await approvedFor();
    const created = await follow(await post(`/app/p/${f.program.id}/payouts`, {}, `/app/p/${f.program.id}/payouts`));
    expect(created).toContain("Created 1 payout of $80.00");
    expect(created).not.toContain(">pending-p<");
    expect(badges(created)).toContainEqual(["s-pending-p", "Pending"]);
    const payoutId = /\/payouts\/(pay_[A-Za-z0-9]+)"/.exec(created)![1]!;
    const detail = await (await get(`/app/p/${f.program.id}/payouts/${payoutId}`)).text();
    expect(badges(detail)).toContainEqual(["s-pending-p", "Pending"]);
    const portal = await signedIn(t, f.partner.apiKey, "portal");
    const earnings = await (await get("/portal/earnings", portal)).text();
    expect(badges(earnings)).toContainEqual(["s-pending-p", "Pending"]);
    expect(earnings).not.toMatch(/>(pending-p|pending|approved)</);
  });

  it("marks a whole payout batch paid at once from the payouts page, through the batch service", async () => {
    await sale("b-2", "200.00", "BEN10"); // Ben now has 60.00 too: two payouts in the batch
    await approvedFor();
    const batch = await okJson(await t.request(`/api/v1/programs/${f.program.id}/payouts`, { method: "POST", key: f.vendorKey }), 201);
    expect(batch.payouts).toHaveLength(2);
    const list = await (await get(`/app/p/${f.program.id}/payouts`)).text();
    expect(list).toContain(`action="/app/p/${f.program.id}/payout-batches/${batch.id}/paid"`);
    expect(list).toContain("Mark all paid");

    const done = await follow(await post(`/app/p/${f.program.id}/payout-batches/${batch.id}/paid`, {}, `/app/p/${f.program.id}/payouts`));
    expect(done).toContain(`Marked 2 payouts of batch ${batch.id} paid.`);
    expect(badges(done).filter(([cls]) => cls === "s-paid")).toHaveLength(2);
    expect(done).not.toContain("Mark all paid");
    const api = await okJson(await t.request(`/api/v1/payout-batches/${batch.id}`, { key: f.vendorKey }));
    expect(api.payouts.map((p: { status: string }) => p.status)).toEqual(["paid", "paid"]);
    const commissions = await okJson(await t.request(`/api/v1/commissions?programId=${f.program.id}&status=paid`, { key: f.vendorKey }));
    expect(commissions.data).toHaveLength(4);

    // again: nothing pending is left, said so; nothing changes
    const again = await follow(await post(`/app/p/${f.program.id}/payout-batches/${batch.id}/paid`, {}, `/app/p/${f.program.id}/payouts`));
    expect(again).toContain("Nothing was marked: this batch has no pending payout left.");
  });

  it("another vendor's payout batch is 404 to mark paid, and stays pending", async () => {
    await approvedFor();
    const batch = await okJson(await t.request(`/api/v1/programs/${f.program.id}/payouts`, { method: "POST", key: f.vendorKey }), 201);
    const other = await createFixture(t, { program: { name: "Other" } });
    const otherCookie = await signedIn(t, other.vendorKey, "app");
    const res = await post(`/app/p/${other.program.id}/payout-batches/${batch.id}/paid`, {}, `/app/p/${other.program.id}/payouts`, otherCookie);
    expect(res.status).toBe(404);
    const api = await okJson(await t.request(`/api/v1/payout-batches/${batch.id}`, { key: f.vendorKey }));
    expect(api.payouts[0].status).toBe("pending");
  });

  it("a commission that needs review reads so and shows no Available date; the refund window is named as such", async () => {
    const clickId = await click(t, "anna");
    await t.flushClicks();
    expect((await t.request(`/px.gif?pk=${f.publicKey}&order=px-1&amount=50.00&currency=USD&click=${clickId}`)).status).toBe(200);
    const html = await (await get(`/app/p/${f.program.id}/commissions?status=hold`)).text();
    expect(badges(html)).toContainEqual(["s-hold", "Needs review"]);
    expect(html).toContain("Needs review (1)");
    expect(html).toContain("after review");
    const csv = await (await get(`/app/p/${f.program.id}/commissions?status=hold&format=csv&table=commissions`)).text();
    expect(csv.split("\r\n")[1]).toMatch(/,10\.00,hold,,/); // no Available date in the export either
    const settings = await (await get(`/app/p/${f.program.id}/settings`)).text();
    expect(settings).toContain("Refund window (days)");
    expect(settings).not.toContain("Hold (days)");
  });

  it("a reversed period is a clear 400, not silently the last 30 days", async () => {
    for (const path of [`/app/p/${f.program.id}?days=custom&from=2026-06-09&to=2026-06-01`, `/app/p/${f.program.id}/partners?from=2026-06-09&to=2026-06-01`, `/app/p/${f.program.id}/conversions?from=2026-06-09&to=2026-06-01`]) {
      const res = await get(path);
      expect(res.status, path).toBe(400);
      expect(await res.text()).toMatch(/reversed: .*from \(2026-06-09\) is after .*to \(2026-06-01\)/i);
    }
    const portal = await signedIn(t, f.partner.apiKey, "portal");
    expect((await get("/portal?days=custom&from=2026-06-09&to=2026-06-01", portal)).status).toBe(400);
    // a range the right way round still works
    expect((await get(`/app/p/${f.program.id}?days=custom&from=2026-06-01&to=2026-06-09`)).status).toBe(200);
  });

  it("refused settings forms (program, tier, rule) come back with what was typed", async () => {
    const settings = `/app/p/${f.program.id}/settings`;
    const tier = await follow(await post(`${settings}/tiers`, { name: "Gold typed", rank: "3", metric: "conversions", threshold: "lots", windowDays: "45" }, settings));
    expect(tier).toContain("A tier needs a name");
    expect(tier).toContain('value="Gold typed"');
    expect(tier).toContain('value="lots"');
    expect(tier).toContain('value="45"');
    expect(tier).toContain('<option value="conversions" selected="">');
    const rule = await follow(await post(`${settings}/rules`, { event: "lead", type: "flat", value: "-3", tierId: "" }, settings));
    expect(rule).toContain("The value was refused");
    expect(rule).toContain('value="-3"');
    expect(rule).toContain('<option value="lead" selected="">');
    const program = await follow(await post(`${settings}/program`, { name: "Typed name", cookieDays: "9999", attribution: "first_click", holdDays: "3", minPayout: "12.34", allowedDomains: "shop.example.com" }, settings));
    expect(program).toContain("Nothing was saved");
    expect(program).toContain('value="Typed name"');
    expect(program).toContain('value="9999"');
    expect(program).toContain('value="12.34"');
  });

  it("the portal's commission list names the order and the link, not only cnv_ ids", async () => {
    const clickId = await click(t, "anna");
    await t.flushClicks();
    await okJson(await postConversion(t, f.postbackKey, { orderId: "ORDER-777", event: "sale", amount: "50.00", currency: "USD", clickId }), 201);
    const portal = await signedIn(t, f.partner.apiKey, "portal");
    const html = await (await get("/portal/earnings", portal)).text();
    const table = /<caption class="skip">My commissions<\/caption>([^]*?)<\/table>/.exec(html)?.[1] ?? "";
    expect(table).toContain(">Order<");
    expect(table).toContain(">ORDER-777<");
    expect(table).toContain("/anna");
    expect(table).not.toContain("cnv_");
  });

  it("a conversion's page explains with the window it was attributed under, not today's setting", async () => {
    const clickId = await click(t, "anna");
    await t.flushClicks();
    const conv = await okJson(await postConversion(t, f.postbackKey, { orderId: "W-1", event: "sale", amount: "50.00", currency: "USD", clickId }), 201);
    await okJson(await t.request(`/api/v1/programs/${f.program.id}`, { method: "PATCH", key: f.vendorKey, json: { cookieDays: 7 } }));
    const html = await (await get(`/app/p/${f.program.id}/conversions/${conv.id}`)).text();
    expect(html).toContain(`${f.program.cookieDays} days, last_click`);
    expect(html).not.toContain("7 days, last_click");
  });
});
