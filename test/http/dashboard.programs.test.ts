import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ADMIN_KEY, countRows, createFixture, createTestApp, expectError, okJson, type TestApp } from "../helpers/app";
import { dashboardSession, textOf } from "../helpers/dashboard";

// Creating a program from the dashboard: the same use-case as POST /api/v1/programs, keys shown once.

describe("dashboard: new program", () => {
  let t: TestApp;
  beforeEach(async () => { t = await createTestApp(); });
  afterEach(async () => { await t.close(); });

  it("a vendor without a program is offered the form; the program is created with its keys, shown once, and the keys work", async () => {
    const vendor = await okJson(await t.request("/api/v1/vendors", { method: "POST", key: ADMIN_KEY, json: { name: "New" } }), 201);
    const s = await dashboardSession(t, "app", vendor.apiKey);
    const welcome = await s.get("/app");
    expect(welcome.html).toContain(`href="/app/programs/new"`);
    expect((await s.get("/app/programs/new")).status).toBe(200);
    const res = await s.post("/app/programs", { name: "Garden shop", currency: "eur", cookieDays: "45", attribution: "first_click", holdDays: "14", minPayout: "25.00", clickParam: "afx_click", allowedDomains: "garden.example.com\n.example.org" });
    expect(res.status).toBe(200);
    const text = textOf(res.html);
    expect(text).toContain("Shown once.");
    const postbackKey = /id="new-postback-key" value="([^"]+)"/.exec(res.html)![1]!;
    const publicKey = /id="new-public-key" value="([^"]+)"/.exec(res.html)![1]!;
    expect(postbackKey).toMatch(/^afx_pb_/);
    expect(publicKey).toMatch(/^afx_pub_/);
    const [program] = (await okJson(await t.request("/api/v1/programs", { key: vendor.apiKey }))).data;
    expect(program).toMatchObject({ name: "Garden shop", currency: "EUR", cookieDays: 45, attribution: "first_click", holdDays: 14, minPayout: "25.00", allowedDomains: ["garden.example.com", ".example.org"] });
    // the postback key reports a conversion; the settings page shows the public key in its snippet
    const conv = await t.request("/v1/conversions", { method: "POST", key: postbackKey, json: { orderId: "o1", event: "sale", amount: "10.00", currency: "EUR" } });
    expect(conv.status, await conv.clone().text()).toBeLessThan(300);
    expect((await s.get(`/app/p/${program.id}/settings`)).html).toContain(publicKey);
    // shown once: no page shows the keys again
    for (const path of [`/app/p/${program.id}`, `/app/p/${program.id}/keys`, `/app/p/${program.id}/settings`]) expect((await s.get(path)).html).not.toContain(postbackKey);
  });

  it("refuses a bad program with the API's reason and keeps what was typed", async () => {
    const f = await createFixture(t);
    const s = await dashboardSession(t, "app", f.vendorKey);
    const res = await s.post("/app/programs", { name: "Typed name", currency: "USD", cookieDays: "30", attribution: "last_click", holdDays: "30", minPayout: "50", clickParam: "afx_click", allowedDomains: "com" });
    expect(res.status).toBe(400);
    expect(textOf(res.html)).toContain(`Nothing was saved: allowed domains: "com" is a public suffix`);
    expect(res.html).toContain(`value="Typed name"`);
    expect(res.html).toMatch(/<textarea[^>]*>com<\/textarea>/);
    const bad = await s.post("/app/programs", { name: "X", currency: "XYZ", cookieDays: "30", attribution: "last_click", holdDays: "30", minPayout: "50", clickParam: "afx_click", allowedDomains: "shop.example.com" });
    expect(bad.status).toBe(400);
    expect(textOf(bad.html)).toContain(`the currency unknown currency "XYZ"`);
    expect(await countRows(t, "programs")).toBe(1);
    // the API answers the same reason (the shared use-case)
    const api = await t.request("/api/v1/programs", { method: "POST", key: f.vendorKey, json: { name: "X", allowedDomains: ["com"] } });
    expect((await expectError(api, 400, "validation_failed")).message).toContain("public suffix");
  });

  it("refuses a form post without the session's CSRF token", async () => {
    const f = await createFixture(t);
    await dashboardSession(t, "app", f.vendorKey);
    const res = await t.request("/app/programs", { method: "POST", headers: { origin: "https://go.test", "content-type": "application/x-www-form-urlencoded" }, body: "name=x" });
    expect(res.status).toBe(403);
    expect(await countRows(t, "programs")).toBe(1);
  });
});
