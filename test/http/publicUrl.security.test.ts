import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFixture, createTestApp, PUBLIC_URL, type TestApp } from "../helpers/app";

// Every absolute URL the server hands out is built from AFFLUX_PUBLIC_URL, never from the
// request's Host: a manager reached through a forged or alternate Host must not get a sign-in
// link (a partner's credential) pointing at that host.

const EVIL = "http://evil.example";
const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";

describe("absolute URLs come from AFFLUX_PUBLIC_URL", () => {
  let t: TestApp;
  let f: Awaited<ReturnType<typeof createFixture>>;
  let cookie: string;
  beforeEach(async () => {
    t = await createTestApp();
    f = await createFixture(t);
    // the whole session runs on the forged host, as a browser behind a rewriting proxy would
    const form = await t.request(`${EVIL}/app/login`, { headers: { host: "evil.example" } });
    const res = await t.request(`${EVIL}/app/login`, {
      method: "POST", redirect: "manual",
      headers: { host: "evil.example", origin: EVIL, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ _csrf: csrfOf(await form.text()), key: f.vendorKey }).toString(),
    });
    expect(res.status).toBe(303);
    cookie = /afx_s=([^;]*)/.exec(res.headers.get("set-cookie") ?? "")![1]!;
  });
  afterEach(async () => { await t.close(); });

  const page = (path: string, init: RequestInit = {}) =>
    t.request(`${EVIL}${path}`, { ...init, headers: { host: "evil.example", cookie: `afx_s=${cookie}`, ...(init.headers as Record<string, string>) } });

  it("a partner's sign-in link", async () => {
    const detail = `/app/p/${f.program.id}/partners/${f.partner.id}`;
    const csrf = csrfOf(await (await page(detail)).text());
    const res = await page(`${detail}/signin-link`, {
      method: "POST", headers: { origin: EVIL, "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ _csrf: csrf }).toString(),
    });
    expect(res.status).toBe(200);
    const html = await res.text();
    const url = /id="signin-url" value="([^"]+)"/.exec(html)?.[1];
    expect(url).toMatch(new RegExp(`^${PUBLIC_URL.replace(/\./g, "\\.")}/portal/signin\\?token=[A-Za-z0-9_-]{20,}$`));
    expect(html).not.toContain("evil.example");
  });

  it("the settings page's API reference link", async () => {
    const html = await (await page(`/app/p/${f.program.id}/settings`)).text();
    expect(html).toContain(`${PUBLIC_URL}/api/reference`);
    expect(html).not.toContain("evil.example");
  });
});
