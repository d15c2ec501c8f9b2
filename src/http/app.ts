import { OpenAPIHono } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import { bodyLimit } from "hono/body-limit";
import { programRoutes } from "./api/programs";
import { partnerLinkRoutes } from "./api/partnersLinks";
import { commissionMeRoutes } from "./api/commissionsMe";
import { payoutRoutes } from "./api/payouts";
import { prmRoutes } from "./api/prm";
import { reportRoutes } from "./api/reports";
import { REFERENCE_PAGE } from "./api/reference";
import { dashboardRoutes } from "./dashboard";
import type { AppDeps, AppEnv } from "./deps";
import { ApiError, errorResponse, onError } from "./errors";
import { conversionRoutes } from "./tracking/conversions";
import { pixelHandler } from "./tracking/pixel";
import { redirectHandler, ROBOTS_TXT } from "./tracking/redirect";
import { SNIPPET_JS } from "./tracking/snippetSource";

export const MAX_BODY_BYTES = 64 * 1024;

/**
 * Builds the whole HTTP surface over one set of dependencies: tracking (redirect, pixel,
 * snippet, postbacks) and the management API. Used as is by the Node server, the Workers and tests.
 */
export function createApp(deps: AppDeps) {
  const app = new OpenAPIHono<AppEnv>();
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
  app.route("/", dashboardRoutes());

  const limit = bodyLimit({ maxSize: MAX_BODY_BYTES, onError: () => { throw new ApiError("payload_too_large", `request bodies are limited to ${MAX_BODY_BYTES} bytes`); } });
  app.use("/api/*", limit);
  app.use("/v1/*", limit);
  app.route("/", conversionRoutes());
  app.route("/", programRoutes());
  app.route("/", partnerLinkRoutes());
  app.route("/", commissionMeRoutes());
  app.route("/", prmRoutes());
  app.route("/", payoutRoutes());
  app.route("/", reportRoutes());

  app.doc31("/api/openapi.json", {
    openapi: "3.1.0",
    info: { title: "afflux API", version: "1.0.0", description: "Affiliate tracking and partner management. Auth: Authorization: Bearer <key>." },
    security: [{ bearer: [] }],
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", { type: "http", scheme: "bearer" });
  app.get("/api", (c) => c.html(REFERENCE_PAGE));
  app.get("/api/reference", (c) => c.html(REFERENCE_PAGE));

  app.all("/api/*", (c) => errorResponse(c, "not_found", `no endpoint ${c.req.method} ${c.req.path}`));
  app.all("/v1/*", (c) => errorResponse(c, "not_found", `no endpoint ${c.req.method} ${c.req.path}`));
  return app;
}
