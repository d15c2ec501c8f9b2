import type { Hono, MiddlewareHandler } from "hono";
import { sql } from "drizzle-orm";
import type { AppDeps, AppEnv } from "./deps";
import { onError } from "./errors";
import { pixelHandler } from "./tracking/pixel";
import { redirectHandler, ROBOTS_TXT } from "./tracking/redirect";
import { SNIPPET_JS } from "./tracking/snippetSource";

/** Paths whose handlers read `c.var.deps`; the redirect is not among them. */
const DEPS_PATHS = ["/healthz", "/px.gif", "/api", "/api/*", "/v1/*", "/app", "/app/*", "/portal", "/portal/*", "/apply/*", "/badge/*"];

/**
 * The visitor-facing routes, shared by the full app and the tracking Worker: robots, favicon,
 * health, snippet and pixel, plus the middleware that hands `deps` and a request id to the
 * routes that need them. It is scoped to those paths so that a redirect matches exactly one
 * handler. Nothing here may import zod or @hono/zod-openapi: the tracking Worker bundle has a
 * 100 KiB budget. Call `mountRedirect` after every other route.
 */
export function mountVisitorRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  app.onError(onError);
  const withDeps: MiddlewareHandler<AppEnv> = async (c, next) => {
    c.set("deps", deps);
    c.set("requestId", crypto.randomUUID());
    await next();
  };
  for (const path of DEPS_PATHS) app.use(path, withDeps);
  app.get("/robots.txt", (c) => c.text(ROBOTS_TXT));
  app.get("/favicon.ico", () => new Response(null, { status: 204 }));
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

/**
 * `GET/HEAD /:slug`, registered last: every static route comes first, and a redirect runs one
 * handler with no middleware. (Hono 4.13's RegExp router refuses `/:slug` beside any static
 * route, so Hono routes on its trie router here; the Node server answers cached redirects before
 * Hono anyway, see tracking/nodeFastPath.ts.)
 */
export function mountRedirect(app: Hono<AppEnv>, deps: AppDeps): void {
  app.on(["GET", "HEAD"], "/:slug", redirectHandler(deps));
}
