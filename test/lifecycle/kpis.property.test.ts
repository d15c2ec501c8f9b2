import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createFixture, createTestApp, okJson, postConversion, sqlRows } from "../helpers/app";

/**
 * The KPIs endpoint against the contract's definitions computed directly from the raw rows
 * (partners, applications, conversions) after random joins, applications, decisions and sales.
 */
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 5, 20, 12);
const START = NOW - 80 * DAY;

type Step =
  | { type: "partner"; at: number }
  | { type: "apply"; at: number; source: string | null; decide: "approve" | "reject" | "none" }
  | { type: "sale"; at: number; who: number; occurredBack: number };

const step = fc.oneof(
  fc.record({ type: fc.constant("partner" as const), at: fc.integer({ min: 0, max: 79 }) }),
  fc.record({ type: fc.constant("apply" as const), at: fc.integer({ min: 0, max: 79 }), source: fc.constantFrom(null, "blog", "ads"), decide: fc.constantFrom("approve" as const, "reject" as const, "none" as const) }),
  fc.record({ type: fc.constant("sale" as const), at: fc.integer({ min: 0, max: 79 }), who: fc.nat(20), occurredBack: fc.integer({ min: 0, max: 40 }) }),
);

const near = (got: string | null, n: number, d: number) => (d === 0 ? expect(got).toBeNull() : expect(Number(got)).toBeCloseTo(n / d, 4));

describe("KPIs equal the contract's definitions over raw rows", () => {
  it("for random journeys and periods", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 25 }), fc.integer({ min: 0, max: 79 }), fc.integer({ min: 1, max: 40 }), async (steps, fromOff, len) => {
        const t = await createTestApp({ now: START - DAY });
        try {
          const f = await createFixture(t, { program: { name: "Prop Shop" } });
          const coupons = ["ANNA10"];
          let n = 0;
          for (const s of [...steps].sort((a, b) => a.at - b.at)) {
            t.clock.now = START + s.at * DAY;
            if (s.type === "partner") {
              const coupon = `CP${n++}`;
              await okJson(await t.request(`/api/v1/programs/${f.program.id}/partners`, { method: "POST", key: f.vendorKey, json: { name: "P", email: `${coupon}@example.net`, coupon } }), 201);
              coupons.push(coupon);
            } else if (s.type === "apply") {
              const a = await okJson(await t.request("/v1/applications", { method: "POST", key: f.publicKey, json: { name: "A", email: `a${n++}@example.net`, ...(s.source ? { source: s.source } : {}) } }), 201);
              if (s.decide !== "none") {
                const r = await okJson(await t.request(`/api/v1/applications/${a.id}/${s.decide}`, { method: "POST", key: f.vendorKey, json: {} }));
                if (s.decide === "approve") {
                  const coupon = `AP${n++}`;
                  await okJson(await t.request(`/api/v1/partners/${r.partner.id}`, { method: "PATCH", key: f.vendorKey, json: { coupon } }));
                  coupons.push(coupon);
                }
              }
            } else {
              await okJson(await postConversion(t, f.postbackKey, { event: "sale", orderId: `O${n++}`, amount: "10.00", currency: "USD", coupon: coupons[s.who % coupons.length], occurredAt: new Date(t.clock.now - s.occurredBack * DAY).toISOString() }), 201);
            }
          }
          t.clock.now = NOW;
          const fromDay = Math.floor(START / DAY) + fromOff;
          const toDay = fromDay + len - 1;
          const iso = (d: number) => new Date(d * DAY).toISOString().slice(0, 10);
          const k = await okJson(await t.request(`/api/v1/programs/${f.program.id}/kpis?from=${iso(fromDay)}&to=${iso(toDay)}`, { key: f.vendorKey }));

          const from = fromDay * DAY;
          const to = (toDay + 1) * DAY;
          const prev = from - (to - from);
          const partners = await sqlRows(t, "SELECT p.id, p.created_at, t.rank FROM partners p JOIN tiers t ON t.id = p.tier_id WHERE p.program_id = ?", [f.program.id]);
          const apps = await sqlRows(t, "SELECT created_at, status, source FROM applications WHERE program_id = ?", [f.program.id]);
          const convs = await sqlRows(t, "SELECT partner_id, occurred_at FROM conversions WHERE program_id = ? AND status = 'attributed'", [f.program.id]);
          const of = (id: unknown) => convs.filter((c) => c.partner_id === id).map((c) => Number(c.occurred_at));

          const inPeriod = apps.filter((a) => Number(a.created_at) >= from && Number(a.created_at) < to);
          const approved = inPeriod.filter((a) => a.status === "approved").length;
          const rejected = inPeriod.filter((a) => a.status === "rejected").length;
          expect(k.applications.submitted).toBe(inPeriod.length);
          expect([k.applications.approved, k.applications.rejected]).toEqual([approved, rejected]);
          near(k.applications.approvalRate, approved, approved + rejected);

          const fresh = partners.filter((p) => Number(p.created_at) >= from && Number(p.created_at) < to);
          const firsts = fresh.map((p) => of(p.id).filter((x) => x < to)).filter((xs) => xs.length > 0).map((xs) => Math.min(...xs));
          expect(k.partners.new).toBe(fresh.length);
          near(k.activationRate, firsts.length, fresh.length);
          const days = fresh.flatMap((p) => { const xs = of(p.id).filter((x) => x < to); return xs.length ? [Math.max(0, Math.min(...xs) - Number(p.created_at)) / DAY] : []; }).sort((a, b) => a - b);
          const med = days.length === 0 ? null : days.length % 2 ? days[days.length >> 1]! : (days[days.length / 2 - 1]! + days[days.length / 2]!) / 2;
          if (med === null) expect(k.medianDaysToFirstConversion).toBeNull();
          else expect(k.medianDaysToFirstConversion).toBeCloseTo(med, 1);

          const activeIn = (a: number, b: number) => new Set(convs.filter((c) => Number(c.occurred_at) >= a && Number(c.occurred_at) < b).map((c) => c.partner_id));
          const now = activeIn(from, to);
          const before = activeIn(prev, from);
          expect(k.partners.active).toBe(now.size);
          near(k.retention, [...before].filter((p) => now.has(p)).length, before.size);

          const ym = (ms: number) => { const d = new Date(ms); return d.getUTCFullYear() * 12 + d.getUTCMonth(); };
          const stage = { interest: apps.filter((a) => a.status === "pending").length, recruitment: 0, activation: 0, investment: 0, devotion: 0 };
          for (const p of partners) {
            const xs = of(p.id);
            const months = new Set(xs.map(ym).filter((m) => m <= ym(NOW) && m >= ym(NOW) - 2)).size;
            const s = xs.length === 0 ? "recruitment" : months === 3 && Number(p.rank) > 0 ? "devotion" : months >= 2 ? "investment" : "activation";
            stage[s]++;
          }
          expect(k.partners.byStage).toEqual(stage);

          const sources = new Map<string | null, { source: string | null; applications: number; approved: number }>();
          for (const a of inPeriod) {
            const key = (a.source as string | null) ?? null;
            const e = sources.get(key) ?? { source: key, applications: 0, approved: 0 };
            e.applications++;
            if (a.status === "approved") e.approved++;
            sources.set(key, e);
          }
          expect([...k.joinSources].sort((a, b) => String(a.source).localeCompare(String(b.source)))).toEqual([...sources.values()].sort((a, b) => String(a.source).localeCompare(String(b.source))));
          const report = await okJson(await t.request(`/api/v1/programs/${f.program.id}/report?from=${iso(fromDay)}&to=${iso(toDay)}`, { key: f.vendorKey }));
          expect(k.partnerSourcedRevenue).toBe(report.totals.revenue);
        } finally {
          await t.close();
        }
      }),
      { numRuns: 12 },
    );
  }, 180_000);
});
