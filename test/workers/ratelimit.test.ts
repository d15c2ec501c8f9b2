import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createClient } from "@libsql/client";
import { drizzle } from "drizzle-orm/libsql";
import { migrate } from "drizzle-orm/libsql/migrator";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MIGRATIONS_DIR } from "../../src/db/migrate";
import * as schema from "../../src/db/schema";
import { startHranaServer, type HranaServer } from "../../src/hrana/server";
import { buildWorker, ROOT } from "./bundle";

/**
 * The API Worker as `wrangler deploy` bundles it, in workerd (Miniflare) with Workers
 * rate-limiting bindings: failed authentications (the wrangler.api.toml limit: 20 a minute per
 * client address) and postbacks per program (a small limit here, to stay quick); and the
 * Durable Object that counts held pixel conversions per program and day (limit 2 here).
 */
const ADMIN_KEY = "edge-admin-key-0123456789";
const PUBLIC = "http://go.test";
const POSTBACKS_PER_10S = 5;

let dir: string;
let hrana: HranaServer;
let mf: Miniflare;

/** A binding counts fixed windows aligned to the clock: start a sequence early in a window. */
async function freshWindow(periodMs: number, need: number) {
  const left = periodMs - (Date.now() % periodMs);
  if (left < need) await new Promise((r) => setTimeout(r, left + 50));
}

function call(path: string, init: { method?: string; key?: string; json?: unknown; ip?: string } = {}) {
  const headers: Record<string, string> = { "cf-connecting-ip": init.ip ?? "198.51.100.23" };
  if (init.key) headers.authorization = `Bearer ${init.key}`;
  if (init.json !== undefined) headers["content-type"] = "application/json";
  return mf.dispatchFetch(`${PUBLIC}${path}`, { method: init.method ?? "GET", headers, body: init.json === undefined ? undefined : JSON.stringify(init.json) });
}
async function json(path: string, init: Parameters<typeof call>[1], status: number) {
  const res = await call(path, init);
  const text = await res.text();
  if (res.status !== status) throw new Error(`${path}: ${res.status} ${text}`);
  return JSON.parse(text);
}
async function expectRateLimited(res: Awaited<ReturnType<typeof call>>) {
  const body = (await res.json()) as { error: { code: string; requestId: string } };
  expect(res.status).toBe(429);
  expect(body.error.code).toBe("rate_limited");
  expect(body.error.requestId).toBeTruthy();
  expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
}

/** The `simple` settings of a `[[ratelimits]]` binding in a wrangler config. */
function bindingIn(config: string, name: string) {
  const text = readFileSync(join(ROOT, config), "utf8");
  const m = new RegExp(`name = "${name}"\\s*\\nnamespace_id = "\\d+"\\s*\\nsimple = \\{ limit = (\\d+), period = (\\d+) \\}`).exec(text);
  if (!m) throw new Error(`no ${name} rate limit binding in ${config}`);
  return { limit: Number(m[1]), period: Number(m[2]) as 10 | 60 };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "afflux-rl-"));
  const [api, server] = await Promise.all([buildWorker("wrangler.api.toml"), startHranaServer({ db: `file:${join(dir, "edge.db")}` })]);
  hrana = server;
  const client = createClient({ url: hrana.url });
  await migrate(drizzle(client, { schema }), { migrationsFolder: MIGRATIONS_DIR });
  client.close();
  mf = new Miniflare({
    name: "afflux-api", modules: true, scriptPath: api.path, modulesRoot: dirname(api.path),
    compatibilityDate: "2026-04-20", compatibilityFlags: ["nodejs_compat"],
    bindings: { AFFLUX_PUBLIC_URL: PUBLIC, DATABASE_URL: hrana.url, DATABASE_AUTH_TOKEN: "", AFFLUX_SECRET: "edge-secret-0123456789abcdef", AFFLUX_ADMIN_KEY: ADMIN_KEY, AFFLUX_RATE_PIXEL_HOLD_PER_DAY: "2" },
    queueProducers: { CLICKS: "afflux-clicks" },
    durableObjects: { RATE_COUNTER: "RateLimitCounter" },
    ratelimits: {
      RATE_FAILED_AUTH: { simple: bindingIn("wrangler.api.toml", "RATE_FAILED_AUTH") },
      RATE_POSTBACK: { simple: { limit: POSTBACKS_PER_10S, period: 10 } },
    },
  });
  await mf.ready;
}, 90_000);

afterAll(async () => {
  await mf?.dispose();
  await hrana?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("rate limits in the API Worker (workerd, rate-limiting bindings)", () => {
  it("declares the contract's defaults in both wrangler configs", () => {
    expect(bindingIn("wrangler.api.toml", "RATE_FAILED_AUTH")).toEqual({ limit: 20, period: 60 });
    expect(bindingIn("wrangler.api.toml", "RATE_PIXEL")).toEqual({ limit: 20, period: 60 });
    expect(bindingIn("wrangler.toml", "RATE_PIXEL")).toEqual({ limit: 20, period: 60 });
    expect(bindingIn("wrangler.api.toml", "RATE_API")).toEqual({ limit: 1_000, period: 10 });
    expect(bindingIn("wrangler.api.toml", "RATE_POSTBACK")).toEqual({ limit: 50_000, period: 10 });
  });

  it("refuses the 21st failed authentication of a minute from an address with 429, and still serves a valid key from it", async () => {
    const vendor = await json("/api/v1/vendors", { method: "POST", key: ADMIN_KEY, json: { name: "Edge Co" } }, 201);
    await freshWindow(60_000, 15_000);
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await call("/api/v1/programs", { key: `afx_sk_wrong${i}`, ip: "203.0.113.50" });
      await res.arrayBuffer();
      statuses.push(res.status);
    }
    expect(statuses).toEqual(Array(20).fill(401));
    await expectRateLimited(await call("/api/v1/programs", { key: "afx_sk_wrong", ip: "203.0.113.50" }));
    expect((await call("/api/v1/programs", { key: vendor.apiKey, ip: "203.0.113.50" })).status).toBe(200);
    const elsewhere = await call("/api/v1/programs", { key: "afx_sk_wrong", ip: "203.0.113.51" });
    expect(elsewhere.status).toBe(401);
  });

  it("limits postbacks per program", async () => {
    const vendor = await json("/api/v1/vendors", { method: "POST", key: ADMIN_KEY, json: { name: "Postback Co" } }, 201);
    const program = await json("/api/v1/programs", { method: "POST", key: vendor.apiKey, json: { name: "Shop", allowedDomains: ["shop.example.com"] } }, 201);
    const other = await json("/api/v1/programs", { method: "POST", key: vendor.apiKey, json: { name: "Other", allowedDomains: ["shop.example.com"] } }, 201);
    await freshWindow(10_000, 5_000);
    for (let i = 0; i < POSTBACKS_PER_10S; i++) {
      await json("/v1/conversions", { method: "POST", key: program.postbackKey, json: { orderId: `w${i}`, event: "sale", amount: "10.00" } }, 201);
    }
    await expectRateLimited(await call("/v1/conversions", { method: "POST", key: program.postbackKey, json: { orderId: "w-over", event: "sale", amount: "10.00" } }));
    await json("/v1/conversions", { method: "POST", key: other.postbackKey, json: { orderId: "w-over", event: "sale", amount: "10.00" } }, 201);
  });

  it("counts held pixel conversions per program in the Durable Object: beyond the day's limit the pixel records nothing", async () => {
    const vendor = await json("/api/v1/vendors", { method: "POST", key: ADMIN_KEY, json: { name: "Pixel Co" } }, 201);
    const program = await json("/api/v1/programs", { method: "POST", key: vendor.apiKey, json: { name: "Shop", allowedDomains: ["shop.example.com"], holdDays: 0 } }, 201);
    await json(`/api/v1/programs/${program.id}/rules`, { method: "POST", key: vendor.apiKey, json: { event: "sale", type: "percent", value: "20" } }, 201);
    const partner = await json(`/api/v1/programs/${program.id}/partners`, { method: "POST", key: vendor.apiKey, json: { name: "Anna", email: "anna@example.com" } }, 201);
    await json("/api/v1/links", { method: "POST", key: vendor.apiKey, json: { programId: program.id, partnerId: partner.id, destination: "https://shop.example.com/p", slug: "rl-anna" } }, 201);
    const redirect = await mf.dispatchFetch(`${PUBLIC}/rl-anna`, { redirect: "manual", headers: { "user-agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0 Safari/537.36" } });
    await redirect.arrayBuffer();
    const clickId = new URL(redirect.headers.get("location")!).searchParams.get("afx_click")!;
    for (const [i, order] of ["p1", "p2", "p3", "p4"].entries()) {
      const res = await call(`/px.gif?${new URLSearchParams({ pk: program.publicKey, order, amount: "10.00", click: clickId })}`, { ip: `203.0.113.${60 + i}` });
      expect(res.headers.get("content-type")).toBe("image/gif");
      await res.arrayBuffer();
    }
    const list = await json(`/api/v1/conversions?programId=${program.id}`, { key: vendor.apiKey }, 200);
    expect(list.data.map((c: { orderId: string }) => c.orderId).sort()).toEqual(["p1", "p2"]);
    // the count is in the program's counter object, not in an isolate
    const counters = await mf.getDurableObjectNamespace("RATE_COUNTER");
    const counter = counters.get(counters.idFromName(`pixelHold:${program.id}`)) as unknown as { take(rule: unknown, cost: number): Promise<{ ok: boolean }> };
    expect(await counter.take({ kind: "window", limit: 2, windowMs: 86_400_000 }, 0)).toMatchObject({ ok: false });
    expect(await counter.take({ kind: "window", limit: 3, windowMs: 86_400_000 }, 0)).toMatchObject({ ok: true });
  });
});
