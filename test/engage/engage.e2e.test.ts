import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { launchBrowser, startServer } from "../e2e/browser";

// The portal in Chromium (the real Node server): unread announcements come first and can be
// marked read; the quarterly satisfaction question disappears once answered.

const ADMIN_KEY = "e2e-admin-key-0123456789";
let server: Awaited<ReturnType<typeof startServer>>;
let browser: Browser;

async function api(path: string, key: string, json?: unknown) {
  const res = await fetch(`${server.base}${path}`, { method: json === undefined ? "GET" : "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: json === undefined ? undefined : JSON.stringify(json) });
  if (res.status >= 300) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<Record<string, any>>;
}

describe("announcements and satisfaction in the portal, in Chromium", () => {
  let partnerKey = "";
  beforeAll(async () => {
    browser = await launchBrowser();
    server = await startServer({ AFFLUX_ADMIN_KEY: ADMIN_KEY });
    const vendorKey = (await api("/api/v1/vendors", ADMIN_KEY, { name: "Outdoor" })).apiKey;
    const program = await api("/api/v1/programs", vendorKey, { name: "Trail Gear", allowedDomains: ["shop.example.com"] });
    partnerKey = (await api(`/api/v1/programs/${program.id}/partners`, vendorKey, { name: "Nora", email: "nora@example.com" })).apiKey;
    for (const title of ["First news", "Second news", "Third news"]) {
      await api(`/api/v1/programs/${program.id}/announcements`, vendorKey, { title, body: `${title}: details.` });
      await new Promise((r) => setTimeout(r, 5));
    }
    // the newest one is already read: it goes after the unread ones
    const mine = await api("/api/v1/me/announcements", partnerKey);
    expect(mine.data.map((a: { title: string }) => a.title)).toEqual(["Third news", "Second news", "First news"]);
    await api(`/api/v1/me/announcements/${mine.data[0].id}/read`, partnerKey, {});
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("shows unread announcements first, marks one read, and asks for satisfaction until answered", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.base}/portal/login`);
    await page.getByLabel("Partner key").fill(partnerKey);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Hello, Nora" }).waitFor();
    expect(await page.getByText("2 unread announcements").count()).toBe(1);

    await page.getByRole("link", { name: "Announcements", exact: true }).click();
    await page.getByRole("heading", { name: "Announcements" }).waitFor();
    const order = async () => (await page.locator("table tbody tr strong").allTextContents());
    expect(await order()).toEqual(["Second news", "First news", "Third news"]);
    expect(await page.getByRole("button", { name: "Mark \"Second news\" read" }).count()).toBe(1);
    expect(await page.getByRole("button", { name: "Mark \"Third news\" read" }).count()).toBe(0);
    await page.getByRole("button", { name: "Mark \"Second news\" read" }).click();
    await page.getByText("\"Second news\" is marked read.").waitFor();
    expect(await order()).toEqual(["First news", "Third news", "Second news"]);

    await page.goto(`${server.base}/portal`);
    const question = page.getByLabel(/How likely are you to recommend/);
    expect(await question.count()).toBe(1);
    await question.selectOption("9");
    await page.getByLabel("Anything to tell us? (optional)").fill("Great program");
    await page.getByRole("button", { name: "Send my answer" }).click();
    await page.getByText("Thank you for your answer.").waitFor();
    expect(await page.getByLabel(/How likely are you to recommend/).count()).toBe(0);
    await page.reload();
    expect(await page.getByRole("heading", { name: "How are we doing?" }).count()).toBe(0);
    const again = await fetch(`${server.base}/api/v1/me/satisfaction`, { method: "POST", headers: { authorization: `Bearer ${partnerKey}`, "content-type": "application/json" }, body: JSON.stringify({ score: 3 }) });
    expect(again.status).toBe(409);
    await context.close();
  }, 60_000);
});
