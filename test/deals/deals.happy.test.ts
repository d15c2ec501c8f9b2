import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { countRows, createTestApp, okJson, postConversion, sqlRows, type TestApp } from "../helpers/app";
import { act, coselling, deal, register, registered, type Coselling } from "./helpers";

const DAY = 86_400_000;

describe("deal registration and decisions", () => {
  let t: TestApp;
  let f: Coselling;
  beforeEach(async () => {
    t = await createTestApp({ now: Date.UTC(2026, 5, 1) });
    f = await coselling(t);
  });
  afterEach(async () => { await t.close(); });

  it("a new account is submitted, keyed by its normalised domain, and protected for dealProtectionDays", async () => {
    const d = await registered(t, f.anna.key, deal({ domain: "https://WWW.Globex.com:443/about" }));
    expect(d).toMatchObject({ status: "submitted", account: "globex.com", conflict: null, value: "1000.00", company: "Globex" });
    expect(Date.parse(d.protectedUntil)).toBe(t.clock.now + 90 * DAY);
    expect(d).not.toHaveProperty("partnerId");
  });

  it("without a domain the contact email's domain is the key; at free-mail the whole email", async () => {
    expect((await registered(t, f.anna.key, deal({ domain: undefined, contactEmail: "Hank@Initech.COM" }))).account).toBe("initech.com");
    expect((await registered(t, f.anna.key, deal({ domain: undefined, contactEmail: "Jo.Smith@Gmail.com" }))).account).toBe("jo.smith@gmail.com");
    expect((await registered(t, f.anna.key, deal({ domain: "bücher.example" }))).account).toBe("xn--bcher-kva.example");
  });

  it("another partner's open deal makes a conflict that names nobody; the manager sees both side by side", async () => {
    const first = await registered(t, f.anna.key);
    const second = await registered(t, f.bob.key, deal({ domain: "globex.com." }));
    expect(second).toMatchObject({ status: "conflict", conflict: { kind: "registered_by_other", dealId: null }, protectedUntil: null });
    const list = await okJson(await t.request(`/api/v1/programs/${f.program.id}/deals?status=conflict`, { key: f.vendorKey }));
    expect(list.data).toHaveLength(1);
    expect(list.data[0]).toMatchObject({ id: second.id, partnerId: f.bob.id, conflict: { kind: "registered_by_other", dealId: first.id }, conflictsWith: { id: first.id, partnerId: f.anna.id } });
  });

  it("approving a conflict closes the other open deal as conflict_lost", async () => {
    const first = await registered(t, f.anna.key);
    const second = await registered(t, f.bob.key);
    const approved = await okJson(await act(t, f.vendorKey, second.id, "approve"));
    expect(approved).toMatchObject({ status: "approved", partnerId: f.bob.id });
    expect(Date.parse(approved.protectedUntil)).toBe(t.clock.now + 90 * DAY);
    const annas = await okJson(await t.request("/api/v1/me/deals", { key: f.anna.key }));
    expect(annas.data[0]).toMatchObject({ id: first.id, status: "rejected", reason: "conflict_lost" });
  });

  it("won records a sale priced by the program's rules, attributed via deal; the same call again records nothing new", async () => {
    const d = await registered(t, f.anna.key);
    await okJson(await act(t, f.vendorKey, d.id, "approve"));
    const won = await okJson(await act(t, f.vendorKey, d.id, "won", { amount: "500.00" }));
    expect(won).toMatchObject({ status: "won", wonAmount: "500.00", conversion: { orderId: `deal:${d.id}`, source: "deal", amount: "500.00", attribution: { partnerId: f.anna.id, via: "deal" }, commission: { amount: "100.00" } } });
    const again = await okJson(await act(t, f.vendorKey, d.id, "won", { amount: "500.00" }));
    expect(again.conversion.id).toBe(won.conversion.id);
    expect(await countRows(t, "conversions")).toBe(1);
    expect(await countRows(t, "commissions")).toBe(1);
    const commissions = await okJson(await t.request("/api/v1/me/commissions", { key: f.anna.key }));
    expect(commissions.data).toHaveLength(1);
  });

  it("an account won in the last year, or a customer of an attributed conversion, is an existing customer", async () => {
    const d = await registered(t, f.anna.key);
    await okJson(await act(t, f.vendorKey, d.id, "approve"));
    await okJson(await act(t, f.vendorKey, d.id, "won", { amount: "10" }));
    expect(await registered(t, f.bob.key)).toMatchObject({ status: "conflict", conflict: { kind: "existing_customer", dealId: null } });
    expect((await postConversion(t, f.postbackKey, { orderId: "o1", event: "sale", amount: "10", coupon: "ANNA10", customerId: "initech.com" })).status).toBe(201);
    expect(await registered(t, f.cara.key, deal({ domain: "initech.com" }))).toMatchObject({ status: "conflict", conflict: { kind: "existing_customer" } });
  });

  it("reject and lost keep their reason; settle expires approved deals whose protection passed, once", async () => {
    const a = await registered(t, f.anna.key);
    const rejected = await okJson(await act(t, f.vendorKey, a.id, "reject", { reason: "not a fit" }));
    expect(rejected).toMatchObject({ status: "rejected", reason: "not a fit" });
    const b = await registered(t, f.anna.key, deal({ domain: "hooli.com" }));
    await okJson(await act(t, f.vendorKey, b.id, "approve"));
    const c = await registered(t, f.anna.key, deal({ domain: "umbrella.com" }));
    await okJson(await act(t, f.vendorKey, c.id, "approve"));
    expect(await okJson(await act(t, f.vendorKey, c.id, "lost", { reason: "budget" }))).toMatchObject({ status: "lost", reason: "budget" });
    const settle = (now: number) => t.request(`/api/v1/programs/${f.program.id}/settle`, { method: "POST", key: f.vendorKey, json: { now: new Date(now).toISOString() } });
    const [one, two] = await Promise.all([settle(t.clock.now + 91 * DAY), settle(t.clock.now + 91 * DAY)]);
    const results = [await okJson(one), await okJson(two)];
    expect(results.map((r) => r.expiredDeals).sort()).toEqual([0, 1]);
    expect(await sqlRows(t, "SELECT status FROM deals WHERE id = ?", [b.id])).toEqual([{ status: "expired" }]);
    // the account is free again
    t.clock.now += 92 * DAY;
    expect((await registered(t, f.bob.key, deal({ domain: "hooli.com" }))).status).toBe("submitted");
  });

  it("the pipeline counts by status with values, win rate, median days to close and won value", async () => {
    const a = await registered(t, f.anna.key, deal({ domain: "a.com", value: "100" }));
    const b = await registered(t, f.anna.key, deal({ domain: "b.com", value: "200" }));
    const c = await registered(t, f.anna.key, deal({ domain: "c.com", value: "300" }));
    await registered(t, f.anna.key, deal({ domain: "d.com", value: "400" }));
    for (const d of [a, b, c]) await okJson(await act(t, f.vendorKey, d.id, "approve"));
    t.clock.now += 2 * DAY;
    await okJson(await act(t, f.vendorKey, a.id, "won", { amount: "150" }));
    t.clock.now += 2 * DAY;
    await okJson(await act(t, f.vendorKey, b.id, "lost"));
    const p = await okJson(await t.request(`/api/v1/programs/${f.program.id}/pipeline`, { key: f.vendorKey }));
    const by = Object.fromEntries(p.byStatus.map((s: { status: string }) => [s.status, s]));
    expect(by.won).toEqual({ status: "won", count: 1, value: "150.00" });
    expect(by.lost).toEqual({ status: "lost", count: 1, value: "200.00" });
    expect(by.approved).toEqual({ status: "approved", count: 1, value: "300.00" });
    expect(by.submitted).toEqual({ status: "submitted", count: 1, value: "400.00" });
    expect(p).toMatchObject({ winRate: "0.5", medianDaysToClose: 3, wonValue: "150.00" });
    const empty = await okJson(await t.request(`/api/v1/programs/${f.program.id}/pipeline?from=2020-01-01&to=2020-02-01`, { key: f.vendorKey }));
    expect(empty).toMatchObject({ winRate: null, medianDaysToClose: null, wonValue: "0.00" });
  });

  it("lists page with limit and cursor and filter by partner", async () => {
    for (const d of ["a.com", "b.com", "c.com"]) await registered(t, f.anna.key, deal({ domain: d }));
    await registered(t, f.bob.key, deal({ domain: "z.com" }));
    const p1 = await okJson(await t.request(`/api/v1/programs/${f.program.id}/deals?limit=2&partnerId=${f.anna.id}`, { key: f.vendorKey }));
    expect(p1.data).toHaveLength(2);
    const p2 = await okJson(await t.request(`/api/v1/programs/${f.program.id}/deals?limit=2&partnerId=${f.anna.id}&cursor=${p1.nextCursor}`, { key: f.vendorKey }));
    expect(p2.data).toHaveLength(1);
    expect(p2.nextCursor).toBeNull();
    const mine = await okJson(await t.request("/api/v1/me/deals?limit=10", { key: f.bob.key }));
    expect(mine.data.map((d: { account: string }) => d.account)).toEqual(["z.com"]);
  });

  it("programs carry dealProtectionDays and leadSlaHours (defaults 90 and 48), changeable by PATCH", async () => {
    expect(f.program).toMatchObject({ dealProtectionDays: 90, leadSlaHours: 48 });
    const changed = await okJson(await t.request(`/api/v1/programs/${f.program.id}`, { method: "PATCH", key: f.vendorKey, json: { dealProtectionDays: 30, leadSlaHours: 24 } }));
    expect(changed).toMatchObject({ dealProtectionDays: 30, leadSlaHours: 24 });
    const d = await registered(t, f.anna.key);
    expect(Date.parse((await okJson(await act(t, f.vendorKey, d.id, "approve"))).protectedUntil)).toBe(t.clock.now + 30 * DAY);
  });

  it("a register that repeats the partner's own open deal is 409 and stores nothing", async () => {
    await registered(t, f.anna.key);
    expect((await register(t, f.anna.key, deal({ domain: "www.globex.com" }))).status).toBe(409);
    expect(await countRows(t, "deals")).toBe(1);
  });
});
