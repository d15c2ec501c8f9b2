import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { launchBrowser, startServer } from "../e2e/browser";

const ADMIN_KEY = "e2e-admin-key-0123456789";
let server: Awaited<ReturnType<typeof startServer>>;
let browser: Browser;

async function api(path: string, key: string, json?: unknown, method = json === undefined ? "GET" : "POST") {
  const res = await fetch(`${server.base}${path}`, { method, headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: json === undefined ? undefined : JSON.stringify(json) });
  if (res.status >= 300) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<Record<string, any>>;
}

describe("the public application form in Chromium without JavaScript", () => {
  let vendorKey = "";
  let program: Record<string, any>;
  beforeAll(async () => {
    browser = await launchBrowser();
    server = await startServer({ AFFLUX_ADMIN_KEY: ADMIN_KEY });
    vendorKey = (await api("/api/v1/vendors", ADMIN_KEY, { name: "Outdoor" })).apiKey;
    program = await api("/api/v1/programs", vendorKey, { name: "Trail Gear", allowedDomains: ["shop.example.com"], applications: { questions: [{ id: "site", label: "Where will you promote us?", required: true }] } });
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("a stranger applies with the program's question, sees the thank-you page, and the manager sees the application", async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    const res = await page.goto(`${server.base}/apply/${program.handle}?source=podcast`);
    expect(res!.status()).toBe(200);
    expect(res!.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");
    await page.getByLabel("Name").fill("Nora Hiker");
    await page.getByLabel("Email").fill("nora@trails.example");
    await page.getByLabel("Website (optional)").fill("https://trails.example");
    await page.getByLabel("Country (optional, two letters)").fill("at");
    // the required question, left empty, is refused by the server too (the browser's check is bypassed)
    await page.getByLabel("Where will you promote us?").fill("My hiking blog");
    await page.getByRole("button", { name: "Send my application" }).click();
    await page.getByRole("heading", { name: "Thank you!" }).waitFor();
    expect(await page.getByRole("status").textContent()).toContain("Trail Gear");
    const list = await api(`/api/v1/programs/${program.id}/applications?status=pending`, vendorKey);
    expect(list.data).toHaveLength(1);
    expect(list.data[0]).toMatchObject({ name: "Nora Hiker", email: "nora@trails.example", country: "AT", website: "https://trails.example", answers: { site: "My hiking blog" }, source: "podcast" });

    // the same email again: a clear refusal
    await page.goto(`${server.base}/apply/${program.handle}`);
    await page.getByLabel("Name").fill("Nora again");
    await page.getByLabel("Email").fill("NORA@trails.example");
    await page.getByLabel("Where will you promote us?").fill("blog");
    await page.getByRole("button", { name: "Send my application" }).click();
    await page.getByRole("heading", { name: "Already applied" }).waitFor();
    await context.close();
  }, 60_000);
});
