import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { countRows, createTestApp, okJson, type TestApp } from "../helpers/app";
import { act, coselling, deal, register, type Coselling } from "./helpers";

describe("co-selling under concurrency (temp file database)", () => {
  let t: TestApp;
  let f: Coselling;
  let dir: string;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "afflux-deals-"));
    t = await createTestApp({ databaseUrl: `file:${join(dir, "db.sqlite")}` });
    f = await coselling(t);
  });
  afterEach(async () => { await t.close(); rmSync(dir, { recursive: true, force: true }); });

  it("two partners registering one account at once: one submitted, one conflict", async () => {
    for (let round = 0; round < 5; round++) {
      const body = deal({ domain: `race${round}.com` });
      const [a, b] = await Promise.all([register(t, f.anna.key, body), register(t, f.bob.key, body)]);
      const statuses = [(await okJson(a, 201)).status, (await okJson(b, 201)).status].sort();
      expect(statuses).toEqual(["conflict", "submitted"]);
    }
  });

  it("one partner registering one account twice at once: one 201, one 409", async () => {
    const [a, b] = await Promise.all([register(t, f.anna.key), register(t, f.anna.key)]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    expect(await countRows(t, "deals")).toBe(1);
  });

  it("two managers approving at once: one approval", async () => {
    const d = await okJson(await register(t, f.anna.key), 201);
    const [a, b] = await Promise.all([act(t, f.vendorKey, d.id, "approve"), act(t, f.vendorKey, d.id, "approve")]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
  });

  it("won twice at once: one sale", async () => {
    const d = await okJson(await register(t, f.anna.key), 201);
    await okJson(await act(t, f.vendorKey, d.id, "approve"));
    const rs = await Promise.all([act(t, f.vendorKey, d.id, "won", { amount: "10" }), act(t, f.vendorKey, d.id, "won", { amount: "10" })]);
    for (const r of rs) expect([200, 409]).toContain(r.status);
    expect(await countRows(t, "conversions")).toBe(1);
    expect(await countRows(t, "commissions")).toBe(1);
  });

  it("leads routed at once never exceed a partner's capacity", async () => {
    await okJson(await t.request(`/api/v1/partners/${f.anna.id}`, { method: "PATCH", key: f.vendorKey, json: { profile: { leadCapacity: 2 } } }));
    const rs = await Promise.all(Array.from({ length: 6 }, (_, i) =>
      t.request(`/api/v1/programs/${f.program.id}/leads`, { method: "POST", key: f.vendorKey, json: { company: `c${i}`, contactEmail: `a${i}@b.com` } })));
    const leads = await Promise.all(rs.map((r) => okJson(r, 201)));
    expect(leads.filter((l) => l.partnerId === f.anna.id)).toHaveLength(2);
    expect(leads.filter((l) => l.status === "unassigned")).toHaveLength(4);
  });
});
