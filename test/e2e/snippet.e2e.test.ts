import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { freePort, launchBrowser, startServer } from "./browser";

// The conversion snippet exactly as Settings → "Track conversions" shows it, pasted into a shop's
// pages in Chromium: a visitor lands from a tracked link, buys, and the pixel conversion arrives,
// attributed to the link's partner. (The earlier text, a bare afflux.conversion() call next to a
// deferred tag, threw "afflux is not defined" and sent nothing.)

const ADMIN_KEY = "e2e-admin-key-snippet-0123456789";
const UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36";

let server: Awaited<ReturnType<typeof startServer>>;
let browser: Browser;
let shop: Server | null = null;

async function api(path: string, key: string, json?: unknown) {
  const res = await fetch(`${server.base}${path}`, {
    method: json === undefined ? "GET" : "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  if (res.status >= 300) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<Record<string, any>>;
}

describe("the settings page's conversion snippet, as copied, in Chromium; then review, bulk payment and export in the dashboard", () => {
  beforeAll(async () => {
    browser = await launchBrowser();
    server = await startServer({ AFFLUX_ADMIN_KEY: ADMIN_KEY });
  }, 90_000);

  afterAll(async () => {
    shop?.close();
    await browser?.close();
    await server?.stop();
  });

  it("a landing page and a thank-you page built from the shown text send an attributed pixel conversion", async () => {
    const vendorKey = (await api("/api/v1/vendors", ADMIN_KEY, { name: "Snippet Shop" })).apiKey as string;
    const program = await api("/api/v1/programs", vendorKey, { name: "Snippet Partners", allowedDomains: ["shop.example.com"], holdDays: 0, minPayout: "1.00" });
    await api(`/api/v1/programs/${program.id}/rules`, vendorKey, { event: "sale", type: "percent", value: "10" });
    const partner = await api(`/api/v1/programs/${program.id}/partners`, vendorKey, { name: "Sam Snippet", email: "sam@example.com" });
    await api("/api/v1/links", vendorKey, { programId: program.id, partnerId: partner.id, destination: "https://shop.example.com/", slug: "sam-snip" });

    // The manager copies both texts from Settings (creating the snippet's public key if asked).
    const manager = await browser.newContext({ locale: "en-US" });
    const page = await manager.newPage();
    await page.goto(`${server.base}/app`);
    await page.getByLabel("Vendor admin key").fill(vendorKey);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`**/app/p/${program.id}`);
    await page.goto(`${server.base}/app/p/${program.id}/settings`);
    const create = page.getByRole("button", { name: "Create the snippet's public key" });
    if (await create.count()) {
      await create.click();
      await page.getByText("The snippet's public key is ready.").waitFor();
    }
    const tag = await page.locator("#snippet").inputValue();
    const call = (await page.locator("#conv-call").textContent()) ?? "";
    expect(tag).toMatch(/^<script src="[^"]+\/afflux\.js" data-pk="afx_pub_[^"]+" defer><\/script>$/);
    expect(call).toContain("afflux.push([");

    // The shop: every page carries the tag; the thank-you page also the conversion call, both verbatim.
    const port = await freePort();
    const pages: Record<string, string> = {
      "/landing": `<!doctype html><html><head>${tag}</head><body><h1>Tents</h1></body></html>`,
      "/thanks": `<!doctype html><html><head>${tag}</head><body><h1>Thank you</h1>\n${call}\n</body></html>`,
    };
    shop = createServer((req, res) => {
      const body = pages[new URL(req.url ?? "/", "http://x").pathname];
      res.writeHead(body ? 200 : 404, { "content-type": "text/html; charset=utf-8" });
      res.end(body ?? "not found");
    }).listen(port, "127.0.0.1");

    // A real click on the tracked link gives the click id the shop's landing URL carries.
    const click = await fetch(`${server.base}/sam-snip`, { redirect: "manual", headers: { "user-agent": UA } });
    expect(click.status).toBe(302);
    const clickId = new URL(click.headers.get("location")!).searchParams.get(program.clickParam ?? "afx_click")!;
    expect(clickId).toBeTruthy();

    const visitor = await browser.newContext({ userAgent: UA });
    const v = await visitor.newPage();
    const errors: string[] = [];
    v.on("pageerror", (e) => errors.push(e.message));
    await v.goto(`http://localhost:${port}/landing?afx_click=${encodeURIComponent(clickId)}`);
    await v.waitForFunction(() => document.cookie.includes("afx_click="));
    const pixel = v.waitForRequest((r) => r.url().startsWith(`${server.base}/px.gif?`));
    await v.goto(`http://localhost:${port}/thanks`);
    const sent = new URL((await pixel).url());
    expect(sent.searchParams.get("order")).toBe("ORDER_ID");
    expect(sent.searchParams.get("click")).toBe(clickId);
    expect(errors).toEqual([]);
    await visitor.close();

    let found: Record<string, any> | undefined;
    for (let i = 0; i < 40 && !found; i++) {
      found = (await api(`/api/v1/conversions?programId=${program.id}&orderId=ORDER_ID`, vendorKey)).data[0];
      if (!found) await new Promise((r) => setTimeout(r, 250));
    }
    expect(found, JSON.stringify(found)).toMatchObject({
      orderId: "ORDER_ID", amount: "49.99", currency: "USD", source: "pixel", status: "attributed",
      attribution: { partnerId: partner.id, clickId, via: "click" }, commission: { amount: "5.00", status: "hold" },
    });

    // The manager reviews it, pays the batch in bulk and exports it, in the dashboard.
    page.on("dialog", (d) => void d.accept());
    await page.goto(`${server.base}/app/p/${program.id}/commissions?status=hold`);
    const row = page.locator("tbody tr", { hasText: "Sam Snippet" });
    expect(await row.locator(".badge").textContent()).toBe("Needs review");
    await row.getByRole("checkbox").check();
    await page.getByRole("button", { name: "Approve selected" }).click();
    await page.getByText("Approved 1 commission").waitFor();
    await api(`/api/v1/programs/${program.id}/settle`, vendorKey, {}); // the scheduled settle, run now
    await page.goto(`${server.base}/app/p/${program.id}/payouts`);
    await page.getByRole("button", { name: "Create payouts" }).click();
    await page.getByText("Created 1 payout of $5.00").waitFor();
    expect(await page.locator("tbody tr .badge").first().textContent()).toBe("Pending");
    await page.getByRole("button", { name: /^Mark all paid: batch bat_\S+, 1 pending payout$/ }).click();
    await page.getByText(/Marked 1 payout of batch bat_\S+ paid\./).waitFor();
    expect(await page.locator("tbody tr .badge").first().textContent()).toBe("Paid");
    const csv = await page.request.get(`${server.base}/app/p/${program.id}/payouts?format=csv&table=payouts`);
    expect((await csv.text()).trim().split("\r\n").slice(1)).toEqual([expect.stringMatching(/,Sam Snippet,sam@example\.com,5\.00,1,paid,/)]);
    await manager.close();
  }, 120_000);
});
