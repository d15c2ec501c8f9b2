import { mkdtempSync, rmSync } from "node:fs";
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createClient } from "@libsql/client";
import { drizzle } from "drizzle-orm/libsql";
import { migrate } from "drizzle-orm/libsql/migrator";
import { Miniflare } from "miniflare";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MIGRATIONS_DIR } from "../../src/db/migrate";
import * as schema from "../../src/db/schema";
import { startHranaServer, type HranaServer } from "../../src/hrana/server";
import { buildWorker, kib, type Bundle } from "./bundle";

/**
 * Both Workers as `wrangler deploy` would upload them, run in workerd by Miniflare with a real
 * Queue between them and our Hrana endpoint as their libSQL database. A proxy in front of the
 * endpoint can fail click inserts on demand, to see the consumer retry.
 */
const ADMIN_KEY = "edge-admin-key-0123456789";
const PUBLIC = "http://go.test";
const BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";

let dir: string;
let hrana: HranaServer;
let proxy: Server;
let failClickInserts = 0;
let mf: Miniflare;
let tracking: Bundle;
let api: Bundle;
let fx: { vendorKey: string; programId: string; partnerId: string; linkId: string; slug: string; postbackKey: string; publicKey: string };

const sqlOne = (sql: string, ...args: unknown[]) => hrana.db.prepare(sql).get(args) as Record<string, unknown>;
const storedClicks = (ids: string[]) =>
  Number(sqlOne(`SELECT count(*) AS n FROM clicks WHERE id IN (${ids.map(() => "?").join(",")})`, ...ids).n);

async function until<T>(what: string, fn: () => T | Promise<T>, ok: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(v)} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function call(path: string, init: { method?: string; key?: string; json?: unknown; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { "user-agent": BROWSER_UA, "cf-connecting-ip": "198.51.100.23", ...init.headers };
  if (init.key) headers.authorization = `Bearer ${init.key}`;
  if (init.json !== undefined) headers["content-type"] = "application/json";
  return mf.dispatchFetch(`${PUBLIC}${path}`, {
    method: init.method ?? "GET", headers, body: init.json === undefined ? undefined : JSON.stringify(init.json), redirect: "manual",
  });
}
async function json(path: string, init: Parameters<typeof call>[1] = {}, status = 200) {
  const res = await call(path, init);
  const text = await res.text();
  if (res.status !== status) throw new Error(`${init.method ?? "GET"} ${path}: ${res.status} ${text}`);
  return JSON.parse(text);
}
async function clickThrough(slug: string, query = ""): Promise<string> {
  const res = await call(`/${slug}${query}`);
  await res.arrayBuffer();
  expect(res.status).toBe(302);
  return new URL(res.headers.get("location")!).searchParams.get("afx_click")!;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "afflux-edge-"));
  [tracking, api, hrana] = await Promise.all([
    buildWorker("wrangler.toml"),
    buildWorker("wrangler.api.toml"),
    startHranaServer({ db: `file:${join(dir, "edge.db")}` }),
  ]);
  console.log(`tracking Worker bundle: ${kib(tracking.gzipBytes)} KiB gzip (${kib(tracking.bytes)} KiB); API Worker: ${kib(api.gzipBytes)} KiB gzip`);
  const client = createClient({ url: hrana.url });
  await migrate(drizzle(client, { schema }), { migrationsFolder: MIGRATIONS_DIR });
  client.close();

  proxy = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      if (failClickInserts > 0 && body.includes("INSERT INTO clicks")) {
        failClickInserts--;
        res.writeHead(503, { "content-type": "text/plain" }).end("injected failure");
        return;
      }
      const up = httpRequest(`${hrana.url}${req.url}`, { method: req.method, headers: { "content-type": "application/json" } }, (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      });
      up.on("error", () => res.writeHead(502).end());
      up.end(body);
    });
  });
  await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
  const dbUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;

  const common = {
    modules: true,
    compatibilityDate: "2026-04-20",
    compatibilityFlags: ["nodejs_compat"],
    bindings: {
      AFFLUX_PUBLIC_URL: PUBLIC, DATABASE_URL: dbUrl, DATABASE_AUTH_TOKEN: "", AFFLUX_SECRET: "edge-secret-0123456789abcdef", AFFLUX_ADMIN_KEY: ADMIN_KEY,
      // the webhook receiver of the test listens on 127.0.0.1
      AFFLUX_WEBHOOK_ALLOW_PRIVATE: "1",
    },
    queueProducers: { CLICKS: "afflux-clicks" },
  };
  mf = new Miniflare({
    workers: [
      { ...common, name: "afflux", scriptPath: tracking.path, modulesRoot: dirname(tracking.path), serviceBindings: { API: "afflux-api" } },
      {
        ...common, name: "afflux-api", scriptPath: api.path, modulesRoot: dirname(api.path),
        queueConsumers: { "afflux-clicks": { maxBatchSize: 100, maxBatchTimeout: 1, maxRetries: 3, deadLetterQueue: "afflux-clicks-dlq" } },
      },
    ],
  });
  await mf.ready;

  const vendor = await json("/api/v1/vendors", { method: "POST", key: ADMIN_KEY, json: { name: "Edge Co" } }, 201);
  const program = await json("/api/v1/programs", { method: "POST", key: vendor.apiKey, json: { name: "Edge Shop", allowedDomains: ["shop.example.com"], holdDays: 0, minConversionSeconds: 0 } }, 201);
  await json(`/api/v1/programs/${program.id}/rules`, { method: "POST", key: vendor.apiKey, json: { event: "sale", type: "percent", value: "20" } }, 201);
  const partner = await json(`/api/v1/programs/${program.id}/partners`, { method: "POST", key: vendor.apiKey, json: { name: "Anna", email: "anna@example.com" } }, 201);
  const link = await json("/api/v1/links", { method: "POST", key: vendor.apiKey, json: { programId: program.id, partnerId: partner.id, destination: "https://shop.example.com/p?ref=1", slug: "edge-anna" } }, 201);
  fx = { vendorKey: vendor.apiKey, programId: program.id, partnerId: partner.id, linkId: link.id, slug: link.slug, postbackKey: program.postbackKey, publicKey: program.publicKey };
}, 90_000);

afterAll(async () => {
  await mf?.dispose();
  await new Promise<void>((r) => (proxy ? proxy.close(() => r()) : r()));
  await hrana?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("the Workers in workerd (Miniflare), over the Hrana endpoint", () => {
  it("keeps the tracking Worker within its 100 KiB gzip budget, without the native driver", () => {
    expect(tracking.gzipBytes).toBeLessThanOrEqual(100 * 1024);
  });

  it("redirects with the contract's headers, 404s unknown slugs, and forwards the API", async () => {
    const res = await call(`/${fx.slug}?sub1=spring&utm_source=x&afx_click=forged`);
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get("location")!);
    expect(location.origin + location.pathname).toBe("https://shop.example.com/p");
    expect(location.searchParams.get("utm_source")).toBe("x");
    expect(location.searchParams.get("sub1")).toBe("spring");
    const clickId = location.searchParams.get("afx_click")!;
    expect(clickId).not.toBe("forged");
    expect(clickId.length).toBeLessThanOrEqual(48);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("x-robots-tag")).toBe("noindex");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer-when-downgrade");
    expect(res.headers.get("set-cookie")).toBe(`afx_click=${clickId}; Max-Age=${30 * 86400}; Path=/; HttpOnly; SameSite=Lax`);
    const missing = await call("/no-such-link");
    expect(missing.status).toBe(404);
    expect(await missing.text()).toMatch(/<html/);
    expect((await call("/robots.txt")).status).toBe(200);
    expect(await json("/healthz")).toEqual({ ok: true });
    await until("the click of the first redirect", () => storedClicks([clickId]), (n) => n === 1);
  });

  it("brings every click through the Queue and the consumer into libSQL, each once, and into link counts", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push(await clickThrough(fx.slug, `?i=${i}`));
    const head = await call(`/${fx.slug}`, { method: "HEAD" });
    expect(head.status).toBe(302);
    await until("clicks stored", () => storedClicks(ids), (n) => n === ids.length);
    const row = sqlOne("SELECT browser, device, visitor, country FROM clicks WHERE id = ?", ids[0]);
    expect(row.browser).toBe("Chrome");
    expect(row.visitor).not.toBeNull();
    // the HEAD recorded nothing; counts come from the consumer's rollup
    const total = Number(sqlOne("SELECT count(*) AS n FROM clicks").n);
    await until("link counts", async () => (await json(`/api/v1/links/${fx.linkId}`, { key: fx.vendorKey })).clicks, (n) => n === total);
  });

  it("stores a batch delivered twice once, and retries a batch whose insert fails", async () => {
    const nums = sqlOne("SELECT l.num AS linkNum, p.num AS partnerNum, g.num AS programNum FROM links l JOIN partners p ON p.id = l.partner_id JOIN programs g ON g.id = l.program_id WHERE l.id = ?", fx.linkId);
    const row = (id: string) => ({
      id, ts: Date.now(), programNum: Number(nums.programNum), linkNum: Number(nums.linkNum), partnerNum: Number(nums.partnerNum), bot: false,
      browser: "Firefox", os: "Linux", device: "desktop", country: "DE", referrerHost: null, subs: null, visitor: 42,
    });
    const messages = ["dup-1", "dup-2", "dup-3"].map((id, i) => ({ id: `m${i}`, timestamp: new Date(), attempts: 1, body: row(id) }));
    const consumer = await mf.getWorker("afflux-api");
    const first = await consumer.queue("afflux-clicks", messages);
    const again = await consumer.queue("afflux-clicks", messages);
    for (const r of [first, again]) {
      expect(r.outcome).toBe("ok");
      expect(r.retryMessages).toEqual([]);
      expect(r.explicitAcks.sort()).toEqual(["m0", "m1", "m2"]);
    }
    expect(storedClicks(["dup-1", "dup-2", "dup-3"])).toBe(3);

    failClickInserts = 1;
    const failed = await consumer.queue("afflux-clicks", [{ id: "m9", timestamp: new Date(), attempts: 1, body: row("fail-1") }]);
    expect(failed.retryMessages.map((m) => m.msgId)).toEqual(["m9"]);
    expect(failed.explicitAcks).toEqual([]);
    expect(storedClicks(["fail-1"])).toBe(0);

    // and through the real Queue: the first delivery fails, the redelivery stores each click once
    failClickInserts = 1;
    const ids = [await clickThrough(fx.slug), await clickThrough(fx.slug)];
    await until("retried clicks stored", () => storedClicks(ids), (n) => n === 2, 15_000);
    expect(failClickInserts).toBe(0);
  });

  it("attributes a conversion from the signed click id inside the Worker, and settles on the cron", async () => {
    const clickId = await clickThrough(fx.slug);
    const conv = await json("/v1/conversions", { method: "POST", key: fx.postbackKey, json: { orderId: "edge-1", event: "sale", amount: "100.00", clickId } }, 201);
    expect(conv.status).toBe("attributed");
    expect(conv.attribution).toMatchObject({ partnerId: fx.partnerId, linkId: fx.linkId, clickId, via: "click" });
    expect(conv.commission).toMatchObject({ amount: "20.00", status: "pending" });
    const replay = await call("/v1/conversions", { method: "POST", key: fx.postbackKey, json: { orderId: "edge-1", event: "sale", amount: "100.00", clickId } });
    expect(replay.status).toBe(200);

    const worker = await mf.getWorker("afflux-api");
    const result = await worker.scheduled({ cron: "*/10 * * * *", scheduledTime: new Date(Date.now() + 60_000) });
    expect(result.outcome).toBe("ok");
    const list = await json(`/api/v1/commissions?programId=${fx.programId}`, { key: fx.vendorKey });
    expect(list.data.find((c: { id: string }) => c.id === conv.commission.id)?.status).toBe("approved");
  });

  it("delivers signed webhooks from the cron (standardwebhooks verifies them)", async () => {
    const received: { headers: Record<string, string>; body: string }[] = [];
    const receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        received.push({ headers: req.headers as Record<string, string>, body: Buffer.concat(chunks).toString("utf8") });
        res.writeHead(200).end("ok");
      });
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
    try {
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
      const endpoint = await json("/api/v1/webhooks", { method: "POST", key: fx.vendorKey, json: { url, events: ["conversion.created"], programId: fx.programId } }, 201);
      const conv = await json("/v1/conversions", { method: "POST", key: fx.postbackKey, json: { orderId: "edge-hook-1", event: "sale", amount: "10.00" } }, 201);
      const worker = await mf.getWorker("afflux-api");
      expect((await worker.scheduled({ cron: "* * * * *", scheduledTime: new Date() })).outcome).toBe("ok");
      await until("webhook received", () => received.length, (n) => n >= 1);
      const r = received[0]!;
      const verified = new Webhook(endpoint.secret).verify(r.body, {
        "webhook-id": r.headers["webhook-id"]!, "webhook-timestamp": r.headers["webhook-timestamp"]!, "webhook-signature": r.headers["webhook-signature"]!,
      }) as { type: string; data: { id: string } };
      expect(verified).toMatchObject({ type: "conversion.created", data: { id: conv.id } });
      const log = await json(`/api/v1/webhooks/${endpoint.id}/deliveries`, { key: fx.vendorKey });
      expect(log.data[0]).toMatchObject({ status: "succeeded", statusCode: 200 });
    } finally {
      await new Promise<void>((r) => receiver.close(() => r()));
    }
  });

  it("stops redirecting an archived link within 5 seconds", async () => {
    const other = await json("/api/v1/links", { method: "POST", key: fx.vendorKey, json: { programId: fx.programId, partnerId: fx.partnerId, destination: "https://shop.example.com/q", slug: "edge-gone" } }, 201);
    await clickThrough(other.slug); // now cached in the isolate and the Cache API
    const t0 = Date.now();
    await json(`/api/v1/links/${other.id}`, { method: "PATCH", key: fx.vendorKey, json: { archived: true } });
    await until("archived link 404", async () => { const r = await call(`/${other.slug}`); await r.arrayBuffer(); return r.status; }, (s) => s === 404, 6_000);
    expect(Date.now() - t0).toBeLessThan(5_000);
  });
  it("serves the dashboard from the same app: sign in, a page with its stylesheet, a CSRF-checked form post", async () => {
    const signin = await call("/app");
    expect(signin.status).toBe(401); // the sign-in page itself, without a redirect
    const form = await signin.text();
    expect(form).toContain("Vendor admin key");
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form)![1]!;
    const login = await call("/app/login", { method: "POST", headers: { origin: PUBLIC, "content-type": "application/x-www-form-urlencoded" } });
    await login.arrayBuffer();
    expect(login.status).toBe(403); // no token, no key
    const ok = await mf.dispatchFetch(`${PUBLIC}/app/login`, {
      method: "POST", redirect: "manual", headers: { origin: PUBLIC, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ _csrf: csrf, key: fx.vendorKey }).toString(),
    });
    await ok.arrayBuffer();
    expect(ok.status).toBe(303);
    const session = /afx_s=([^;]+)/.exec(ok.headers.get("set-cookie") ?? "")![1]!;
    const page = await call(`/app/p/${fx.programId}/settings`, { headers: { cookie: `afx_s=${session}` } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Program settings");
    const css = /href="(\/static\/dashboard\.[a-z0-9]+\.css)"/.exec(html)![1]!;
    const sheet = await call(css);
    expect(sheet.headers.get("content-type")).toContain("text/css");
    expect((await sheet.text()).length).toBeGreaterThan(1000);

    const pageCsrf = /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
    const save = (origin: string) => mf.dispatchFetch(`${PUBLIC}/app/p/${fx.programId}/settings/program`, {
      method: "POST", redirect: "manual", headers: { origin, cookie: `afx_s=${session}`, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ _csrf: pageCsrf, name: "Edge Shop", cookieDays: "45", attribution: "last_click", holdDays: "0", minPayout: "50.00", allowedDomains: "shop.example.com" }).toString(),
    });
    const forged = await save("https://evil.example");
    await forged.arrayBuffer();
    expect(forged.status).toBe(403);
    const saved = await save(PUBLIC);
    await saved.arrayBuffer();
    expect(saved.status).toBe(303);
    expect((await json(`/api/v1/programs/${fx.programId}`, { key: fx.vendorKey })).cookieDays).toBe(45);
  });

  it("keeps the second round's trust rules, input limits and page headers in the Worker", async () => {
    const mallory = await json(`/api/v1/programs/${fx.programId}/partners`, { method: "POST", key: fx.vendorKey, json: { name: "Mallory", email: "mallory@example.com" } }, 201);
    const malloryLink = await json("/api/v1/links", { method: "POST", key: fx.vendorKey, json: { programId: fx.programId, partnerId: mallory.id, destination: "https://shop.example.com/m", slug: "edge-mallory" } }, 201);
    const pixel = async (params: Record<string, string>) => {
      const res = await call(`/px.gif?${new URLSearchParams({ pk: fx.publicKey, ...params })}`);
      await res.arrayBuffer();
      return res.status;
    };
    // order squatting: the pixel's click loses to the shop's postback, which decides afresh
    expect(await pixel({ order: "edge-sq-1", amount: "100.00", click: await clickThrough(malloryLink.slug) })).toBe(200);
    const buyer = await clickThrough(fx.slug);
    const conv = await json("/v1/conversions", { method: "POST", key: fx.postbackKey, json: { orderId: "edge-sq-1", event: "sale", amount: "100.00", clickId: buyer } });
    expect(conv).toMatchObject({ source: "postback", attribution: { partnerId: fx.partnerId, via: "click" }, commission: { status: "pending" } });
    expect(sqlOne("SELECT count(*) AS n FROM commissions WHERE partner_id = ?", mallory.id).n).toBe(0);

    // limits: an amount past 10^9, a 12,000-character customer, an impossible date record nothing
    const before = Number(sqlOne("SELECT count(*) AS n FROM conversions").n);
    await pixel({ order: "edge-big", amount: "90071992547409.91" });
    await pixel({ order: "edge-long", amount: "1.00", customer: "c".repeat(12_000) });
    expect(Number(sqlOne("SELECT count(*) AS n FROM conversions").n)).toBe(before);
    const badDate = await call("/v1/conversions", { method: "POST", key: fx.postbackKey, json: { orderId: "edge-date", event: "sale", amount: "1.00", occurredAt: "2026-02-30T10:00:00Z" } });
    expect(badDate.status).toBe(400);
    expect(((await badDate.json()) as { error: { code: string } }).error.code).toBe("validation_failed");

    // every HTML page carries the security headers, the session gate's sign-in page too
    for (const path of ["/app", "/api/reference"]) {
      const page = await call(path);
      await page.arrayBuffer();
      expect(page.headers.get("x-frame-options"), path).toBe("DENY");
      expect(page.headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(page.headers.get("content-security-policy"), path).toContain("frame-ancestors 'none'");
    }
  });
});
