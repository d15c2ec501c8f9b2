import { Hono } from "hono";
import { sql } from "drizzle-orm";
import type { AppDeps, AppEnv } from "../src/http/deps";
import { onError } from "../src/http/errors";
import { pixelHandler } from "../src/http/tracking/pixel";
import { redirectHandler, ROBOTS_TXT } from "../src/http/tracking/redirect";
import { SNIPPET_JS } from "../src/http/tracking/snippetSource";

/**
 * The visitor-facing routes of `createApp` (src/http/app.ts), mounted from the same handlers in
 * the same order, for the tracking Worker: redirect, pixel, snippet, robots, health. Everything
 * else (postbacks under /v1, the API, the dashboard) is handed to `forward`, the API Worker's
 * service binding. Kept apart because @hono/zod-openapi and zod, which the postbacks and the API
 * validate with, would double the tracking bundle (budget: 100 KiB gzip).
 */
export function createTrackingApp(deps: AppDeps, forward: (request: Request) => Promise<Response>) {
  const app = new Hono<AppEnv>();
  app.onError(onError);
  app.on(["GET", "HEAD"], "/:slug", redirectHandler(deps));
  app.get("/robots.txt", (c) => c.text(ROBOTS_TXT));
  app.get("/favicon.ico", () => new Response(null, { status: 204 }));
  app.use(async (c, next) => {
    c.set("deps", deps);
    c.set("requestId", crypto.randomUUID());
    await next();
  });
  app.get("/healthz", async (c) => {
    try {
      await deps.db.run(sql`SELECT 1 FROM settings LIMIT 1`);
      return c.json({ ok: true });
    } catch {
      return c.json({ ok: false }, 503);
    }
  });
  app.get("/afflux.js", (c) => {
    c.header("cache-control", "public, max-age=3600");
    return c.body(SNIPPET_JS, 200, { "content-type": "text/javascript; charset=utf-8" });
  });
  app.get("/px.gif", pixelHandler());
  app.all("*", (c) => forward(c.req.raw));
  return app;
}
