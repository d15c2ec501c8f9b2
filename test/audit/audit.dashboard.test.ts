import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { click, createFixture, createTestApp, okJson, PUBLIC_URL, sqlRows, type TestApp } from "../helpers/app";

const T0 = Date.UTC(2026, 0, 15, 12, 0, 0, 0);
const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";

describe("dashboard: the audit log page", () => {
  let t: TestApp;
  let f: Awaited<ReturnType<typeof createFixture>>;
  let cookie: string;
  let csrf: string;
  beforeEach(async () => {
    t = await createTestApp({ now: T0 });
    f = await createFixture(t);
    const form = await t.request("/app/login");
    const res = await t.request("/app/login", {
      method: "POST", redirect: "manual", headers: { origin: PUBLIC_URL, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ _csrf: csrfOf(await form.text()), key: f.vendorKey }).toString(),
    });
    expect(res.status).toBe(303);
    cookie = /afx_s=([^;]*)/.exec(res.headers.get("set-cookie") ?? "")![1]!;
    csrf = csrfOf(await (await page(`/app/p/${f.program.id}/audit`)).text());
  });
  afterEach(async () => { await t.close(); });

  const page = (path: string) => t.request(path, { headers: { cookie: `afx_s=${cookie}` } });
  const post = (path: string, fields: Record<string, string | string[]>) => {
    const body = new URLSearchParams({ _csrf: csrf });
    for (const [k, v] of Object.entries(fields)) for (const one of [v].flat()) body.append(k, one);
    return t.request(path, { method: "POST", redirect: "manual", headers: { cookie: `afx_s=${cookie}`, origin: PUBLIC_URL, "content-type": "application/x-www-form-urlencoded" }, body: body.toString() });
  };

  it("dashboard changes are recorded with the signed-in manager's key, and the page lists, filters and exports them", async () => {
    const keyId = (await sqlRows(t, "SELECT id FROM api_keys WHERE vendor_id = ? AND kind = 'vendor'", [f.vendor.id]))[0]!.id as string;
    t.clock.now += 60_000;
    expect((await post(`/app/p/${f.program.id}/settings/program`, {
      name: "Shop", cookieDays: "45", attribution: "last_click", holdDays: "0", minPayout: "0.00", allowedDomains: "shop.example.com .example.org",
    })).status).toBe(303);
    // a held commission approved from the review queue: the same service as the API
    const clickId = await click(t, f.link.slug);
    expect((await t.request(`/px.gif?pk=${f.publicKey}&order=d1&amount=50.00&click=${clickId}`)).status).toBe(200);
    const [held] = await sqlRows(t, "SELECT id FROM commissions WHERE status = 'hold'");
    t.clock.now += 60_000;
    expect((await post(`/app/p/${f.program.id}/commissions`, { action: "approve", ids: [held!.id as string] })).status).toBe(303);

    const api = (await okJson(await t.request(`/api/v1/audit?programId=${f.program.id}`, { key: f.vendorKey }))).data;
    expect(api[0]).toMatchObject({ action: "commission.approve", actor: { kind: "vendor", keyId }, changes: { status: ["hold", "pending"] } });
    expect(api[1]).toMatchObject({ action: "program.update", actor: { kind: "vendor", keyId }, changes: { cookieDays: [30, 45] } });

    const html = await (await page(`/app/p/${f.program.id}/audit`)).text();
    expect(html).toContain("<h1>Audit log</h1>");
    expect(html).toContain("commission.approve");
    expect(html).toContain("cookieDays: 30 → 45");
    expect(html).toContain(`href="/app/p/${f.program.id}/audit"`); // in the program's nav
    expect(html.indexOf("commission.approve")).toBeLessThan(html.indexOf("program.update")); // newest first

    const onlyProgram = await (await page(`/app/p/${f.program.id}/audit?objectId=${f.program.id}`)).text();
    expect(onlyProgram).toContain("program.update");
    expect(onlyProgram).not.toContain("commission.approve");
    const tomorrow = new Date(T0 + 86_400_000).toISOString().slice(0, 10);
    expect(await (await page(`/app/p/${f.program.id}/audit?from=${tomorrow}`)).text()).toContain("Nothing recorded here.");

    const csv = await page(`/app/p/${f.program.id}/audit?format=csv&table=audit`);
    expect(csv.headers.get("content-type")).toContain("text/csv");
    const text = await csv.text();
    expect(text.split("\n")[0]).toContain("Action");
    expect(text).toContain("commission.approve");
    expect(text).toContain("program.update");
    expect(text).not.toContain(f.vendorKey);
  });

  it("SECURITY: another vendor's program audit page is a 404", async () => {
    const other = await createFixture(t);
    expect((await page(`/app/p/${other.program.id}/audit`)).status).toBe(404);
  });
});
