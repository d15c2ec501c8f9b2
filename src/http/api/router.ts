import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../deps";
import { ApiError } from "../errors";

/**
 * Every API router shares one validation hook: zod failures become `validation_failed` with
 * one `details` entry per field problem.
 */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const details = result.error.issues.map((i) => ({ path: i.path.join(".") || "(body)", message: i.message }));
        throw new ApiError("validation_failed", details.map((d) => `${d.path}: ${d.message}`).join("; "), details);
      }
    },
  });
}
