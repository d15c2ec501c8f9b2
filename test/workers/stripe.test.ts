import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createClient } from "@libsql/client";
import { drizzle } from "drizzle-orm/libsql";
import { migrate } from "drizzle-orm/libsql/migrator";
import { Miniflare } from "miniflare";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MIGRATIONS_DIR } from "../../src/db/migrate";
import * as schema from "../../src/db/schema";
import { startHranaServer, type HranaServer } from "../../src/hrana/server";
import { buildWorker, kib } from "./bundle";

/**
 * The Stripe endpoint in the API Worker as `wrangler deploy` bundles it, in workerd (Miniflare):
 * the `stripe` package's worker build verifies with SubtleCrypto, and the sealed signing secret
 * opens with WebCrypto there too.
 */
const ADMIN_KEY = "edge-admin-key-0123456789";
const PUBLIC = "http://go.test";
const WHSEC = "whsec_edge_0123456789abcdefghij";
const UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";

let dir: string;
let hrana: HranaServer;
let mf: Miniflare;

function call(path: string, init: { method?: string; key?: string; json?: unknown; body?: string; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { "cf-connecting-ip": "198.51.100.23", "user-agent": UA, ...init.headers };
  if (init.key) headers.authorization = `Bearer ${init.key}`;
  if (init.json !== undefined) headers["content-type"] = "application/json";
  return mf.dispatchFetch(`${PUBLIC}${path}`, { method: init.method ?? "GET", headers, body: init.body ?? (init.json === undefined ? undefined : JSON.stringify(init.json)), redirect: "manual" });
}
async function json(path: string, init: Parameters<typeof call>[1], status: number) {
  const res = await call(path, init);
  const text = await res.text();
  if (res.status !== status) throw new Error(`${path}: ${res.status} ${text}`);
  return JSON.parse(text);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "afflux-stripe-"));
  const [api, server] = await Promise.all([buildWorker("wrangler.api.toml"), startHranaServer({ db: `file:${join(dir, "edge.db")}` })]);
  hrana = server;
  console.log(`API Worker bundle: ${kib(api.gzipBytes)} KiB gzip (${kib(api.bytes)} KiB)`);
  const client = createClient({ url: hrana.url });
  await migrate(drizzle(client, { schema }), { migrationsFolder: MIGRATIONS_DIR });
  client.close();
  mf = new Miniflare({
    name: "afflux-api", modules: true, scriptPath: api.path, modulesRoot: dirname(api.path),
    compatibilityDate: "2026-04-20", compatibilityFlags: ["nodejs_compat"],
    bindings: { AFFLUX_PUBLIC_URL: PUBLIC, DATABASE_URL: hrana.url, DATABASE_AUTH_TOKEN: "", AFFLUX_SECRET: "edge-secret-0123456789abcdef", AFFLUX_ADMIN_KEY: ADMIN_KEY },
    queueProducers: { CLICKS: "afflux-clicks" },
    durableObjects: { RATE_COUNTER: "RateLimitCounter" },
  });
  await mf.ready;
}, 120_000);

afterAll(async () => {
  await mf?.dispose();
  await hrana?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("Stripe in the API Worker (workerd)", () => {
  it("accepts a signed checkout event and records the click's sale once; refuses a bad signature", async () => {
    const vendor = await json("/api/v1/vendors", { method: "POST", key: ADMIN_KEY, json: { name: "Edge Co" } }, 201);
    const program = await json("/api/v1/programs", { method: "POST", key: vendor.apiKey, json: { name: "Shop", allowedDomains: ["shop.example.com"], holdDays: 0 } }, 201);
    await json(`/api/v1/programs/${program.id}/rules`, { method: "POST", key: vendor.apiKey, json: { event: "sale", type: "percent", value: "20" } }, 201);
    const partner = await json(`/api/v1/programs/${program.id}/partners`, { method: "POST", key: vendor.apiKey, json: { name: "Anna", email: "anna@example.com" } }, 201);
    await json("/api/v1/links", { method: "POST", key: vendor.apiKey, json: { programId: program.id, partnerId: partner.id, destination: "https://shop.example.com/p", slug: "stripe-anna" } }, 201);
    const connected = await json(`/api/v1/programs/${program.id}/integrations/stripe`, { method: "PUT", key: vendor.apiKey, json: { webhookSecret: WHSEC } }, 200);
    expect(connected.endpoint).toBe(`${PUBLIC}/v1/integrations/stripe/${program.id}`);

    const redirect = await call("/stripe-anna");
    await redirect.arrayBuffer();
    expect(redirect.status).toBe(302);
    const clickId = new URL(redirect.headers.get("location")!).searchParams.get("afx_click")!;

    const event = {
      id: "evt_edge_1", object: "event", type: "checkout.session.completed", created: Math.floor(Date.now() / 1000),
      data: { object: { id: "cs_edge_1", object: "checkout.session", amount_total: 4999, currency: "usd", client_reference_id: clickId, customer: "cus_edge", invoice: null, payment_intent: "pi_edge", metadata: {} } },
    };
    const body = JSON.stringify(event);
    const send = (signature: string) => call(new URL(connected.endpoint).pathname, { method: "POST", body, headers: { "content-type": "application/json", "stripe-signature": signature } });

    const bad = await send(Stripe.webhooks.generateTestHeaderString({ payload: body, secret: "whsec_not_the_right_one_0123" }));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe("validation_failed");
    expect(Number((hrana.db.prepare("SELECT count(*) AS n FROM stripe_events").get() as { n: number }).n)).toBe(0);

    const header = Stripe.webhooks.generateTestHeaderString({ payload: body, secret: WHSEC });
    const ok = await send(header);
    const receipt = (await ok.json()) as { outcome: string; conversionId: string; duplicate: boolean };
    expect(ok.status).toBe(200);
    expect(receipt).toMatchObject({ outcome: "conversion", duplicate: false });
    const again = (await (await send(header)).json()) as { duplicate: boolean };
    expect(again.duplicate).toBe(true);
    const rows = (sql: string) => (hrana.db.prepare(sql).all() as Record<string, unknown>[]).map(({ _metadata, ...row }) => row);
    expect(rows("SELECT order_id, amount, via, partner_id FROM conversions")).toEqual([{ order_id: "cs_edge_1", amount: 4999, via: "click", partner_id: partner.id }]);
    expect(rows("SELECT amount FROM commissions")).toEqual([{ amount: 1000 }]);
  });
});
