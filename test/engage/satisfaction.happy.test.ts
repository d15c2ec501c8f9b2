import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addPartner, createFixture, createTestApp, expectError, okJson, sqlRows, type TestApp } from "../helpers/app";

const NOW = Date.UTC(2026, 4, 20, 12); // 2026-Q2

let t: TestApp;
let f: Awaited<ReturnType<typeof createFixture>>;
beforeEach(async () => {
  t = await createTestApp({ now: NOW });
  f = await createFixture(t);
});
afterEach(() => t.close());

const answer = (key: string, json: Record<string, unknown>) => t.request("/api/v1/me/satisfaction", { method: "POST", key, json });
const summary = async (query = "") => okJson(await t.request(`/api/v1/programs/${f.program.id}/satisfaction${query}`, { key: f.vendorKey }));
const kpis = async (query = "") => okJson(await t.request(`/api/v1/programs/${f.program.id}/kpis${query}`, { key: f.vendorKey }));

describe("partner satisfaction", () => {
  it("one answer per UTC quarter: again in the quarter is 409, the next quarter may answer again", async () => {
    const first = await okJson(await answer(f.partner.apiKey, { score: 9, comment: "  Great support  " }), 201);
    expect(first).toMatchObject({ score: 9, comment: "Great support", quarter: "2026-Q2", at: new Date(NOW).toISOString() });
    t.clock.now = Date.UTC(2026, 5, 30, 23, 59); // still Q2
    await expectError(await answer(f.partner.apiKey, { score: 3 }), 409, "conflict");
    t.clock.now = Date.UTC(2026, 6, 1, 0, 0); // Q3
    expect((await okJson(await answer(f.partner.apiKey, { score: 3 }), 201)).quarter).toBe("2026-Q3");
    expect(await sqlRows(t, "SELECT quarter, score, comment FROM satisfaction_responses ORDER BY created_at")).toEqual([
      { quarter: "2026-Q2", score: 9, comment: "Great support" }, { quarter: "2026-Q3", score: 3, comment: null },
    ]);
  });

  it("two answers at once from one partner: exactly one 201, the others 409, one row", async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => answer(f.partner.apiKey, { score: i % 11 })));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
    for (const r of results.filter((x) => x.status === 409)) await expectError(r, 409, "conflict");
    expect(await sqlRows(t, "SELECT count(*) AS n FROM satisfaction_responses")).toEqual([{ n: 1 }]);
  });

  it("the unique index itself refuses a second answer of the quarter (the race is settled by the database)", async () => {
    await okJson(await answer(f.partner.apiKey, { score: 8 }), 201);
    await expect(t.client.execute({
      sql: "INSERT INTO satisfaction_responses (id, program_id, partner_id, quarter, score, comment, created_at) VALUES ('sat_x', ?, ?, '2026-Q2', 5, NULL, 0)",
      args: [f.program.id, f.partner.id],
    })).rejects.toThrow(/UNIQUE/);
  });

  it("the manager's summary: responses, NPS, average and comments of the period; the KPIs carry the same responses and NPS", async () => {
    expect(await summary()).toMatchObject({ responses: 0, nps: null, average: null, comments: [] });
    expect((await kpis()).satisfaction).toEqual({ responses: 0, nps: null });
    const scores = [10, 9, 8, 6, 2, 10, 7];
    const partners = [f.partner];
    for (let i = 1; i < scores.length; i++) partners.push((await addPartner(t, f.vendorKey, f.program.id, { name: `P${i}`, email: `p${i}@example.com` })).partner);
    for (let i = 0; i < scores.length; i++) {
      t.clock.now = NOW - (scores.length - i) * 1000;
      await okJson(await answer(partners[i]!.apiKey, { score: scores[i], ...(i % 2 === 0 ? { comment: `comment ${i}` } : {}) }), 201);
    }
    // promoters 3 (10, 9, 10), detractors 2 (6, 2): (3 − 2) / 7 = 14.28…% → 14; mean 52 / 7 = 7.43
    const s = await summary();
    expect(s).toMatchObject({ responses: 7, nps: 14, average: 7.43 });
    expect(s.comments).toEqual([6, 4, 2, 0].map((i) => ({ score: scores[i], comment: `comment ${i}`, partnerId: partners[i]!.id, at: new Date(NOW - (scores.length - i) * 1000).toISOString() })));
    expect((await kpis()).satisfaction).toEqual({ responses: 7, nps: 14 });
    // a period before the answers has none
    const before = "?from=2026-04-01&to=2026-04-30";
    expect(await summary(before)).toMatchObject({ responses: 0, nps: null, average: null, comments: [], from: "2026-04-01", to: "2026-04-30" });
    expect((await kpis(before)).satisfaction).toEqual({ responses: 0, nps: null });
    // the period's last day counts whole
    expect((await summary("?from=2026-05-20&to=2026-05-20")).responses).toBe(7);
  });
});
