import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { countRows, createFixture, createTestApp, PUBLIC_URL, type TestApp } from "../helpers/app";

let t: TestApp;
let f: Awaited<ReturnType<typeof createFixture>>;
beforeEach(async () => {
  t = await createTestApp({ rateRules: { applicationForm: { kind: "window", limit: 3, windowMs: 3_600_000 } } });
  f = await createFixture(t, { program: { name: "Acme Shop" } });
});
afterEach(() => t.close());

/** The form's token, read from the page as a browser would. */
async function formToken(handle = "acme-shop") {
  const html = await (await t.request(`/apply/${handle}`)).text();
  return /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
}

function post(fields: Record<string, string>, headers: Record<string, string> = { origin: PUBLIC_URL }, handle = "acme-shop") {
  return t.request(`/apply/${handle}`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", ...headers }, body: new URLSearchParams(fields).toString() });
}

describe("/apply/:handle", () => {
  it("serves the form with the security headers of every HTML page, and stores a same-origin application", async () => {
    const res = await t.request("/apply/acme-shop");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBe("same-origin");
    const html = await res.text();
    expect(html).not.toContain("<script");
    const ok = await post({ _csrf: await formToken(), name: "Ben", email: "ben@example.net" });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain("Thank you");
    expect(await countRows(t, "applications")).toBe(1);
  });

  it("refuses cross-site posts and posts without the form's token", async () => {
    const token = await formToken();
    expect((await post({ _csrf: token, name: "Eve", email: "eve@example.net" }, { origin: "https://evil.example" })).status).toBe(403);
    expect((await post({ _csrf: token, name: "Eve", email: "eve@example.net" }, {})).status).toBe(403);
    expect((await post({ _csrf: "1.forged", name: "Eve", email: "eve@example.net" })).status).toBe(403);
    expect(await countRows(t, "applications")).toBe(0);
  });

  it("a filled honeypot gets the thank-you page and stores nothing", async () => {
    const res = await post({ _csrf: await formToken(), name: "Bot", email: "bot@example.net", website_url: "http://spam.example" });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Thank you");
    expect(await countRows(t, "applications")).toBe(0);
  });

  it("limits posts per address with a 429 page, and never stores the address", async () => {
    const token = await formToken();
    for (let i = 0; i < 3; i++) expect((await post({ _csrf: token, name: "P", email: `p${i}@example.net` }, { origin: PUBLIC_URL, "x-test-ip": "198.51.100.9" })).status).toBe(200);
    const limited = await post({ _csrf: token, name: "P", email: "p9@example.net" }, { origin: PUBLIC_URL, "x-test-ip": "198.51.100.9" });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(limited.headers.get("content-type")).toContain("text/html");
    expect(await limited.text()).toContain("Too many applications");
    // another address is not affected
    expect((await post({ _csrf: token, name: "Q", email: "q@example.net" }, { origin: PUBLIC_URL, "x-test-ip": "198.51.100.10" })).status).toBe(200);
    const dump = JSON.stringify(await t.client.execute("SELECT * FROM applications"));
    expect(dump).not.toContain("198.51.100");
  });

  it("shows a clear error for a missing required answer and keeps what was typed; unknown or closed forms are 404", async () => {
    await t.request(`/api/v1/programs/${f.program.id}`, { method: "PATCH", key: f.vendorKey, json: { applications: { questions: [{ id: "site", label: "Where will you promote us?", required: true }] } } });
    const res = await post({ _csrf: await formToken(), name: "Ben", email: "ben@example.net", q_site: "  " });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain("needs an answer");
    expect(html).toContain('value="ben@example.net"');
    expect((await t.request("/apply/no-such-program")).status).toBe(404);
    await t.request(`/api/v1/programs/${f.program.id}`, { method: "PATCH", key: f.vendorKey, json: { applications: { enabled: false } } });
    expect((await t.request("/apply/acme-shop")).status).toBe(404);
  });
});
