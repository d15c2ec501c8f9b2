import { Hono } from "hono";
import type { AppDeps, AppEnv } from "../src/http/deps";
import { mountRedirect, mountVisitorRoutes } from "../src/http/visitorRoutes";

/**
 * The tracking Worker's app: the visitor-facing routes that `createApp` mounts too
 * (src/http/visitorRoutes.ts): redirect, pixel, snippet, robots, health. Everything
 * else (postbacks under /v1, the API, the dashboard) is handed to `forward`, the API Worker's
 * service binding. Kept apart because @hono/zod-openapi and zod, which the postbacks and the API
 * validate with, would double the tracking bundle (budget: 100 KiB gzip).
 */
export function createTrackingApp(deps: AppDeps, forward: (request: Request) => Promise<Response>) {
  const app = new Hono<AppEnv>();
  mountVisitorRoutes(app, deps);
  mountRedirect(app, deps);
  app.all("*", (c) => forward(c.req.raw));
  return app;
}
