import { webhookRoutes } from "./api/webhooks";
import { postbackRoutes } from "./api/postbacks";
import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { programRoutes } from "./api/programs";
import { partnerLinkRoutes } from "./api/partnersLinks";
import { commissionMeRoutes } from "./api/commissionsMe";
import { payoutRoutes } from "./api/payouts";
import { prmRoutes } from "./api/prm";
import { reportRoutes } from "./api/reports";
import { ruleRoutes } from "./api/rules";
import { tierRoutes } from "./api/tiers";
import { partnerRoutes } from "./api/partners";
import { keyRoutes } from "./api/keys";
import { linkClickRoutes } from "./api/linkClicks";
import { stripeRoutes } from "./api/stripe";
import { auditRoutes } from "./api/audit";
import { dealRoutes } from "./api/deals";
import { leadRoutes } from "./api/leads";
import { applicationRoutes } from "./api/applications";
import { agreementRoutes } from "./api/agreements";
import { kpiRoutes } from "./api/kpis";
import { announcementRoutes } from "./api/announcements";
import { satisfactionRoutes } from "./api/satisfaction";
import { referencePage } from "./api/reference";
import { dashboardRoutes } from "../../dashboard/routes";
import type { AppDeps, AppEnv } from "./deps";
import { ApiError, errorResponse } from "./errors";
import { headerLimit } from "./middleware/headerLimit";
import { securityHeaders } from "./securityHeaders";
import { mountRedirect, mountVisitorRoutes } from "./visitorRoutes";
import { conversionRoutes } from "./tracking/conversions";
import { ReadCache } from "../services/tracking/readCache";
import { conversionWriter } from "../services/tracking/conversions";
import { clientOf } from "../db/client";
import { apiKeyOf, rateLimit } from "./middleware/rateLimit";

export const MAX_BODY_BYTES = 64 * 1024;

export interface AppOptions {
  /**
   * gzip dashboard pages in the app (default). Off on Workers: the runtime compresses responses
   * itself, and would encode an already gzipped body a second time.
   */
  compressPages?: boolean;
}

/**
 * Builds the whole HTTP surface over one set of dependencies: tracking (redirect, pixel,
 * snippet, postbacks) and the management API. Used as is by the Node server, the Workers and tests.
 */
export function createApp(deps: AppDeps, opts: AppOptions = {}) {
  deps.reads ??= new ReadCache(deps.db);
  deps.writes ??= conversionWriter(clientOf(deps.db));
  const app = new OpenAPIHono<AppEnv>();
  app.use("*", securityHeaders()); // first: it must wrap every route that can answer HTML
  mountVisitorRoutes(app, deps);
  app.route("/", dashboardRoutes({ compress: opts.compressPages ?? true }));

  const limit = bodyLimit({ maxSize: MAX_BODY_BYTES, onError: () => { throw new ApiError("payload_too_large", `request bodies are limited to ${MAX_BODY_BYTES} bytes`); } });
  // per API key, before anything reads the body; postbacks count per program in `authenticate`
  app.use("/api/*", rateLimit({ limit: "api", keyOf: apiKeyOf }));
  app.use("/api/*", limit);
  app.use("/v1/*", limit);
  for (const path of ["/api/*", "/v1/*"]) app.use(path, headerLimit());
  app.route("/", conversionRoutes());
  app.route("/", programRoutes());
  app.route("/", partnerLinkRoutes());
  app.route("/", commissionMeRoutes());
  app.route("/", prmRoutes());
  app.route("/", payoutRoutes());
  app.route("/", reportRoutes());
  app.route("/", ruleRoutes());
  app.route("/", tierRoutes());
  app.route("/", partnerRoutes());
  app.route("/", keyRoutes());
  app.route("/", linkClickRoutes());
  app.route("/", stripeRoutes());
  app.route("/", webhookRoutes());
  app.route("/", postbackRoutes());
  app.route("/", auditRoutes());
  app.route("/", dealRoutes());
  app.route("/", leadRoutes());
  app.route("/", applicationRoutes());
  app.route("/", agreementRoutes());
  app.route("/", kpiRoutes());
  app.route("/", announcementRoutes());
  app.route("/", satisfactionRoutes());

  app.doc31("/api/openapi.json", {
    openapi: "3.1.0",
    info: { title: "afflux API", version: "1.0.0", description: "Affiliate tracking and partner management. Auth: Authorization: Bearer <key>." },
    security: [{ bearer: [] }],
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", { type: "http", scheme: "bearer" });
  app.get("/api", referencePage);
  app.get("/api/reference", referencePage);

  app.all("/api/*", (c) => errorResponse(c, "not_found", `no endpoint ${c.req.method} ${c.req.path}`));
  app.all("/v1/*", (c) => errorResponse(c, "not_found", `no endpoint ${c.req.method} ${c.req.path}`));
  mountRedirect(app, deps);
  return app;
}
