import { serve } from "@hono/node-server";
import { request as httpRequest, type Server } from "node:http";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openAndMigrate } from "../../src/bootstrap";
import { hashApiKey } from "../../src/domain/ids";
import { createApp } from "../../src/http/app";
import type { AppDeps } from "../../src/http/deps";
import { LinkCache } from "../../src/http/tracking/linkCache";
import { createServerWithFastPaths } from "../../src/http/tracking/nodeFastPath";
import { nodeFacts } from "../../src/http/tracking/requestFacts";
import { ADMIN_KEY, createTestApp, expectError, SECRET, type TestApp } from "../helpers/app";
import { memoryRateLimits } from "../../src/domain/rateLimit";
import { NO_RATE_LIMITS } from "../helpers/app";

// Contract, second round: request headers over 16 KiB are 431 with the error envelope on
// /api/* and /v1/*. Node's HTTP parser refuses them before any app code runs (its
// maxHeaderSize is 16 KiB), so the Node server answers them itself; runtimes that pass big
// headers through (Workers) meet the app's own limit.

const BIG = "x".repeat(17 * 1024);

function send(port: number, path: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, method: "GET", path, headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** Raw bytes in, everything the server writes until it closes out. */
function sendRaw(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(bytes));
    let out = "";
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => (out += chunk));
    socket.on("end", () => resolve(out));
    socket.on("error", reject);
  });
}

describe("431 from the Node server", () => {
  let server: Server;
  let port = 0;
  let closeDb = () => {};

  beforeAll(async () => {
    const { database, secret } = await openAndMigrate(":memory:", undefined, SECRET);
    closeDb = () => database.close();
    const deps: AppDeps = {
      db: database.db, secret, clickSink: { push: () => undefined }, linkCache: new LinkCache(database.db), now: Date.now,
      publicUrl: "http://go.test", adminKeyHash: hashApiKey(ADMIN_KEY), readClickFacts: nodeFacts({ trustForwardedFor: false }),
      rateLimits: memoryRateLimits(NO_RATE_LIMITS, Date.now),
    };
    const app = createApp(deps);
    const createServer = createServerWithFastPaths(deps, { trustForwardedFor: false, defaultHostname: "127.0.0.1" });
    port = await new Promise<number>((resolve) => {
      server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1", createServer }, (info) => resolve(info.port)) as Server;
    });
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    closeDb();
  });

  for (const path of ["/api/v1/programs", "/v1/conversions"]) {
    it(`GET ${path} with a 17 KiB header: 431 with the envelope`, async () => {
      const res = await send(port, path, { "x-big": BIG });
      expect(res.status).toBe(431);
      expect(res.headers["content-type"]).toMatch(/^application\/json/);
      expect(res.headers["connection"]).toBe("close");
      const body = JSON.parse(res.body);
      expect(body.error).toMatchObject({ code: "headers_too_large", message: expect.any(String), requestId: expect.any(String) });
      expect(body.error.requestId).not.toBe("");
    });
  }

  it("still answers a normal request afterwards, and other bad requests keep Node's 400", async () => {
    const ok = await send(port, "/healthz", {});
    expect(ok.status).toBe(200);
    expect(await sendRaw(port, "NOT HTTP AT ALL\r\n\r\n")).toMatch(/^HTTP\/1\.1 400 /);
  });
});

describe("431 from the app (runtimes that pass big headers)", () => {
  let t: TestApp;
  beforeAll(async () => { t = await createTestApp(); });
  afterAll(async () => { await t.close(); });

  it("refuses headers over 16 KiB on /api/* and /v1/*, in total and in one header", async () => {
    await expectError(await t.request("/api/v1/programs", { key: ADMIN_KEY, headers: { "x-big": BIG } }), 431, "headers_too_large");
    await expectError(await t.request("/v1/conversions", { method: "POST", json: {}, headers: { "x-big": BIG } }), 431, "headers_too_large");
    const many: Record<string, string> = {};
    for (let i = 0; i < 20; i++) many[`x-part-${i}`] = "y".repeat(1000);
    await expectError(await t.request("/api/v1/programs", { key: ADMIN_KEY, headers: many }), 431, "headers_too_large");
  });

  it("lets headers just under 16 KiB through", async () => {
    const res = await t.request("/api/v1/programs", { key: ADMIN_KEY, headers: { "x-big": "x".repeat(15 * 1024) } });
    expect(res.status).toBe(403); // the operator key is no vendor key: the request reached the handler
  });
});
