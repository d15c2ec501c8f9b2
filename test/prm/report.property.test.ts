import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addPartner, BOT_UA, BROWSER_UA, clickWith, createFixture, createTestApp, MOBILE_UA, okJson, postConversion, postRefund, sqlRows, type TestApp } from "../helpers/app";

/**
 * The report comes from the daily_stats rollup (clicks folded when the sink flushes, conversions
 * kept by delta upserts). Here it must equal what the contract's definitions give when computed
 * directly from the raw clicks, conversions and commissions, after random traffic, sales,
 * refunds, rejections and settles.
 */

const DAY = 86_400_000;
const START = Date.UTC(2026, 10, 10); // day 0 of the window
const DAYS = 4;
const GROUPS = ["day", "partner", "link", "country", "device", "sub1"] as const;
type Group = (typeof GROUPS)[number];

const TABLET_UA = "Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
const UAS = [BROWSER_UA, BROWSER_UA, MOBILE_UA, TABLET_UA, BOT_UA, "curl/8.4.0"];
const SLUGS = ["anna", "anna2", "bob1"];
const COUPONS = ["ANNA10", "bob", "CLEO", "NOPE"];

type Event =
  | { type: "click"; at: number; link: number; ua: number; ip: number; country: string | null; sub1: string | null }
  | { type: "conversion"; at: number; via: "click" | "coupon" | "customer" | "none"; pick: number; coupon: string; customer: string | null; event: "sale" | "lead"; amount: number; occurredAt: number | null }
  | { type: "refund"; at: number; pick: number; partial: boolean; cut: number }
  | { type: "reject"; at: number; pick: number }
  | { type: "settle"; at: number };

const at = fc.integer({ min: 0, max: DAYS * DAY - 1 });
const arbClick = fc.record({
  type: fc.constant("click" as const), at, link: fc.integer({ min: 0, max: SLUGS.length - 1 }), ua: fc.integer({ min: 0, max: UAS.length - 1 }),
  ip: fc.integer({ min: 0, max: 3 }), country: fc.constantFrom<string | null>(null, "US", "DE", "FR"), sub1: fc.constantFrom<string | null>(null, "a", "b"),
});
const arbConversion = fc.record({
  type: fc.constant("conversion" as const), at, via: fc.constantFrom<"click" | "coupon" | "customer" | "none">("click", "click", "coupon", "customer", "none"),
  pick: fc.nat(), coupon: fc.constantFrom(...COUPONS), customer: fc.constantFrom<string | null>(null, "cus_1", "cus_2"),
  event: fc.constantFrom<"sale" | "lead">("sale", "sale", "lead"), amount: fc.integer({ min: 0, max: 50_000 }),
  occurredAt: fc.option(at, { nil: null, freq: 3 }),
});
const arbRefund = fc.record({ type: fc.constant("refund" as const), at, pick: fc.nat(), partial: fc.boolean(), cut: fc.nat() });
const arbReject = fc.record({ type: fc.constant("reject" as const), at, pick: fc.nat() });
const arbSettle = fc.record({ type: fc.constant("settle" as const), at });
const arbScenario = fc.record({
  events: fc.tuple(
    fc.array(arbClick, { maxLength: 20 }), fc.array(arbConversion, { maxLength: 12 }), fc.array(arbRefund, { maxLength: 6 }),
    fc.array(arbReject, { maxLength: 4 }), fc.array(arbSettle, { maxLength: 2 }),
  ).map((lists) => (lists.flat() as Event[]).sort((a, b) => a.at - b.at)),
  range: fc.tuple(fc.integer({ min: -1, max: DAYS }), fc.integer({ min: -1, max: DAYS })).map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const),
  meGroup: fc.constantFrom(...GROUPS),
});

interface Stats { clicks: number; uniqueClicks: number; botClicks: number; conversions: number; revenue: number; commission: number }
const zero = (): Stats => ({ clicks: 0, uniqueClicks: 0, botClicks: 0, conversions: 0, revenue: 0, commission: 0 });
const isZero = (s: Stats) => Object.values(s).every((v) => v === 0);
const usd = (cents: number) => `${cents < 0 ? "-" : ""}${Math.floor(Math.abs(cents) / 100)}.${String(Math.abs(cents) % 100).padStart(2, "0")}`;
const isoDay = (day: number) => new Date(day * DAY).toISOString().slice(0, 10);
const dayOf = (ms: number) => Math.floor(ms / DAY);

/** The raw rows a report is made of, read once per run. */
async function rawTables(t: TestApp, programId: string) {
  const [program] = await sqlRows(t, "SELECT num FROM programs WHERE id = ?", [programId]);
  const linkIds = new Map((await sqlRows(t, "SELECT num, id FROM links")).map((r) => [Number(r.num), String(r.id)]));
  const partnerIds = new Map((await sqlRows(t, "SELECT num, id FROM partners")).map((r) => [Number(r.num), String(r.id)]));
  const clicks = (await sqlRows(t, "SELECT seq, id, ts, link_num, partner_num, bot, device, country, sub1 FROM clicks WHERE program_num = ? ORDER BY seq", [Number(program!.num)])).map((r) => ({
    seq: Number(r.seq), id: String(r.id), day: dayOf(Number(r.ts)), linkId: linkIds.get(Number(r.link_num))!, partnerId: partnerIds.get(Number(r.partner_num))!,
    bot: Number(r.bot) === 1, device: r.device as string, country: r.country as string | null, sub1: r.sub1 as string | null,
  }));
  const conversions = await sqlRows(t, "SELECT id, status, amount, refunded, occurred_at, partner_id, link_id, click_id FROM conversions WHERE program_id = ?", [programId]);
  const commissions = new Map((await sqlRows(t, "SELECT conversion_id, amount, status FROM commissions WHERE program_id = ?", [programId])).map((r) => [String(r.conversion_id), r]));
  return { clicks, clickById: new Map(clicks.map((c) => [c.id, c])), conversions, commissions };
}

/** The contract's report, computed straight from the raw rows (and the IP + user agent each click was sent with). */
function directReport(raw: Awaited<ReturnType<typeof rawTables>>, fromDay: number, toDay: number, groupBy: Group, visitorOf: Map<string, string>, partnerId?: string) {
  const { clicks, clickById, conversions, commissions } = raw;
  const keyOf = (x: { day: number; partnerId: string; linkId: string | null; country: string | null; device: string | null; sub1: string | null }): string | null =>
    groupBy === "day" ? isoDay(x.day) : groupBy === "partner" ? x.partnerId : groupBy === "link" ? x.linkId : groupBy === "country" ? x.country : groupBy === "device" ? x.device : x.sub1;
  const rows = new Map<string | null, Stats>();
  const bucket = (key: string | null) => rows.get(key) ?? rows.set(key, zero()).get(key)!;
  const inRange = (day: number) => day >= fromDay && day <= toDay;
  const mine = (p: string | null) => partnerId === undefined || p === partnerId;

  // clicks: people and bots; a unique click is a visitor's first (lowest seq) on a link and day
  const seen = new Set<string>();
  for (const c of clicks) {
    const unique = !c.bot && !seen.has(`${c.linkId}|${c.day}|${visitorOf.get(c.id)}`);
    if (!c.bot) seen.add(`${c.linkId}|${c.day}|${visitorOf.get(c.id)}`);
    if (!inRange(c.day) || !mine(c.partnerId)) continue;
    const s = bucket(keyOf(c));
    if (c.bot) s.botClicks++;
    else s.clicks++;
    if (unique) s.uniqueClicks++;
  }
  // conversions: attributed and not fully refunded, by occurredAt, dimensions from their click
  for (const v of conversions) {
    const amount = Number(v.amount);
    const refunded = Number(v.refunded);
    if (v.status !== "attributed" || (amount > 0 && refunded >= amount)) continue;
    const day = dayOf(Number(v.occurred_at));
    if (!inRange(day) || !mine(v.partner_id as string)) continue;
    const click = v.click_id ? clickById.get(String(v.click_id)) : undefined;
    if (v.click_id) expect(click, `the click of conversion ${String(v.id)} is stored`).toBeDefined();
    const s = bucket(keyOf({ day, partnerId: String(v.partner_id), linkId: (v.link_id as string | null) ?? null, country: click?.country ?? null, device: click?.device ?? null, sub1: click?.sub1 ?? null }));
    s.conversions++;
    s.revenue += amount - refunded;
    const m = commissions.get(String(v.id));
    if (m && m.status !== "rejected" && m.status !== "reversed") s.commission += Number(m.amount);
  }
  if (groupBy === "day") for (let d = fromDay; d <= toDay; d++) bucket(isoDay(d));
  const totals = zero();
  for (const s of rows.values()) for (const k of Object.keys(totals) as (keyof Stats)[]) totals[k] += s[k];
  return { rows, totals };
}

const money = (s: Stats) => ({ ...s, revenue: usd(s.revenue), commission: usd(s.commission) });
interface ReportRow { key: string | null; clicks: number; uniqueClicks: number; botClicks: number; conversions: number; revenue: string; commission: string }
const fields = (r: Omit<ReportRow, "key">) => ({ clicks: r.clicks, uniqueClicks: r.uniqueClicks, botClicks: r.botClicks, conversions: r.conversions, revenue: r.revenue, commission: r.commission });

function expectSameReport(actual: { rows: ReportRow[]; totals: Omit<ReportRow, "key"> }, expected: ReturnType<typeof directReport>, groupBy: Group, label: string) {
  const exp = [...expected.rows.entries()].filter(([, s]) => groupBy === "day" || !isZero(s)).map(([key, s]) => ({ key, ...money(s) }));
  const act = actual.rows.map((r) => ({ key: r.key, ...fields(r) })).filter((r) => groupBy === "day" || r.clicks + r.uniqueClicks + r.botClicks + r.conversions !== 0 || r.revenue !== "0.00" || r.commission !== "0.00");
  const order = (rows: { key: string | null }[]) => [...rows].sort((a, b) => String(a.key).localeCompare(String(b.key)));
  if (groupBy === "day") expect(act, label).toEqual(order(exp)); // in day order, every day of the range
  else expect(order(act), label).toEqual(order(exp));
  expect(fields(actual.totals), `${label} totals`).toEqual(money(expected.totals));
}

describe("PROPERTY: the report from the rollup equals the contract computed from raw rows", () => {
  it("for random clicks, conversions, refunds and rejections, every groupBy, program and partner reports", async () => {
    await fc.assert(
      fc.asyncProperty(arbScenario, async ({ events, range, meGroup }) => {
        const t = await createTestApp({ now: START });
        try {
          const f = await createFixture(t);
          await okJson(await t.request(`/api/v1/programs/${f.program.id}/rules`, { method: "POST", key: f.vendorKey, json: { event: "lead", type: "flat", value: "1.50" } }), 201);
          await okJson(await t.request("/api/v1/links", { method: "POST", key: f.vendorKey, json: { programId: f.program.id, partnerId: f.partner.id, destination: "https://shop.example.com/2", slug: "anna2" } }), 201);
          const bob = await addPartner(t, f.vendorKey, f.program.id, { name: "Bob", email: "bob@example.com", coupon: "BOB" }, { slug: "bob1" });
          const cleo = await addPartner(t, f.vendorKey, f.program.id, { name: "Cleo", email: "cleo@example.com", coupon: "CLEO" });
          const partnerKeys = [[f.partner.id, f.partner.apiKey], [bob.partner.id, bob.partner.apiKey], [cleo.partner.id, cleo.partner.apiKey]] as const;

          const visitorOf = new Map<string, string>();
          const clickIds: string[] = [];
          let unflushed = 0;
          const convs: { orderId: string; event: "sale" | "lead"; amount: number; refunded: number; commission: { id: string; status: string } | null }[] = [];
          for (const e of events) {
            t.clock.now = START + e.at;
            if (e.type === "click") {
              const ua = UAS[e.ua]!;
              const ip = `198.51.100.${e.ip + 1}`;
              const id = await clickWith(t, SLUGS[e.link]!, { ua, ip, ...(e.country ? { country: e.country } : {}), query: e.sub1 ? `?sub1=${e.sub1}&sub2=z` : "" });
              visitorOf.set(id, `${ip}|${ua}`);
              clickIds.push(id);
              unflushed++;
            } else if (e.type === "conversion") {
              if (unflushed) { await t.flushClicks(); unflushed = 0; } // a conversion copies its click's dimensions when created: store clicks first
              const orderId = `o${convs.length}`;
              const amount = e.event === "sale" ? Math.max(1, e.amount) : e.amount;
              const body: Record<string, unknown> = { orderId, event: e.event, amount: usd(amount) };
              if (e.via === "click" && clickIds.length) body.clickId = clickIds[e.pick % clickIds.length];
              if (e.via === "coupon") body.coupon = e.coupon;
              if ((e.via === "click" || e.via === "customer") && e.customer) body.customerId = e.customer;
              if (e.occurredAt !== null) body.occurredAt = new Date(START + e.occurredAt).toISOString();
              const res = await okJson(await postConversion(t, f.postbackKey, body), 201);
              convs.push({ orderId, event: e.event, amount, refunded: 0, commission: res.commission });
            } else if (e.type === "refund") {
              const c = convs.length ? convs[e.pick % convs.length]! : null;
              if (!c || c.amount - c.refunded <= 0) continue;
              const remaining = c.amount - c.refunded;
              const amount = e.partial && remaining > 1 ? 1 + (e.cut % (remaining - 1)) : remaining;
              const res = await okJson(await postRefund(t, f.postbackKey, { orderId: c.orderId, event: c.event, ...(e.partial ? { amount: usd(amount) } : {}) }));
              c.refunded += amount;
              expect(res.refunded).toBe(usd(c.refunded));
              if (c.commission) c.commission = res.commission;
            } else if (e.type === "reject") {
              const c = convs.length ? convs[e.pick % convs.length]! : null;
              if (!c?.commission) continue;
              const res = await t.request(`/api/v1/commissions/${c.commission.id}/reject`, { method: "POST", key: f.vendorKey });
              const [row] = await sqlRows(t, "SELECT status FROM commissions WHERE id = ?", [c.commission.id]);
              expect(res.status).toBe(c.commission.status === "pending" || c.commission.status === "hold" ? 200 : 409);
              c.commission.status = String(row!.status);
            } else {
              await okJson(await t.request(`/api/v1/programs/${f.program.id}/settle`, { method: "POST", key: f.vendorKey, json: {} }));
              for (const c of convs) if (c.commission?.status === "pending") c.commission.status = "approved";
            }
          }
          await t.flushClicks();

          const [fromDay, toDay] = [dayOf(START) + range[0], dayOf(START) + range[1]];
          const raw = await rawTables(t, f.program.id);
          const q = `from=${isoDay(fromDay)}&to=${isoDay(toDay)}`;
          for (const groupBy of GROUPS) {
            const actual = await okJson(await t.request(`/api/v1/programs/${f.program.id}/report?${q}&groupBy=${groupBy}`, { key: f.vendorKey }));
            expectSameReport(actual, directReport(raw, fromDay, toDay, groupBy, visitorOf), groupBy, `program report by ${groupBy}`);
          }
          for (const [partnerId, key] of partnerKeys) {
            const actual = await okJson(await t.request(`/api/v1/me/report?${q}&groupBy=${meGroup}`, { key }));
            expectSameReport(actual, directReport(raw, fromDay, toDay, meGroup, visitorOf, partnerId), meGroup, `report of ${partnerId} by ${meGroup}`);
          }
        } finally {
          await t.close();
        }
      }),
      { numRuns: 32 },
    );
  }, 60_000);
});
