import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { compress } from "hono/compress";
import { ASSETS } from "../assets";
import type { AppEnv } from "../../src/http/deps";
import { applyRoutes } from "./apply";
import { badgeRoutes } from "./badge";
import { authRoutes } from "./auth";
import { notFoundPage } from "./common";
import { managerRoutes } from "./manager";
import { portalRoutes } from "./portal";
import type { DashEnv } from "./session";

/**
 * The manager dashboard (`/app`) and the partner portal (`/portal`): server-rendered pages over
 * the same queries and services as the API, with their stylesheet and script under `/static`.
 */
export function dashboardRoutes(opts: { compress: boolean }) {
  const app = new Hono<AppEnv>();
  for (const asset of Object.values(ASSETS)) {
    app.get(asset.path, (c) => c.body(asset.body, 200, { "content-type": asset.type, "cache-control": "public, max-age=31536000, immutable" }));
  }
  const limit = bodyLimit({ maxSize: 64 * 1024, onError: (c) => c.text("This form is too large.", 413) });
  if (opts.compress) {
    app.use("/app/*", compress());
    app.use("/portal/*", compress());
  }
  app.use("/app/*", limit);
  app.use("/portal/*", limit);
  app.use("/apply/*", limit);
  app.route("/", applyRoutes());
  app.route("/", badgeRoutes());
  app.route("/", authRoutes("app"));
  app.route("/", authRoutes("portal"));
  app.route("/", managerRoutes() as unknown as Hono<AppEnv>);
  app.route("/", portalRoutes() as unknown as Hono<AppEnv>);
  app.all("/app/*", (c) => notFoundPage(c, "app"));
  return app;
}
export type { DashEnv };
