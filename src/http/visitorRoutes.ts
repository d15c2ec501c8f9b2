import type { Hono } from "hono";
import { sql } from "drizzle-orm";
import type { AppDeps, AppEnv } from "./deps";
import { onError } from "./errors";
import { pixelHandler } from "./tracking/pixel";
import { redirectHandler, ROBOTS_TXT } from "./tracking/redirect";
import { SNIPPET_JS } from "./tracking/snippetSource";

/**
 * The visitor-facing routes, shared by the full app and the tracking Worker: redirect (first, so
 * it pays for no middleware), robots, favicon, health, snippet and pixel, plus the middleware that
 * hands `deps` and a request id to everything registered after it. Nothing here may import
 * zod or @hono/zod-openapi: the tracking Worker bundle has a 100 KiB budget.
 */
export function mountVisitorRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
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
}
