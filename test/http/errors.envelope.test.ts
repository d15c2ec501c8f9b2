import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { ApiError, ERROR_STATUS, onError, rateLimited, unavailable } from "../../src/http/errors";
import { expectError } from "../helpers/app";

/** A bare Hono app with the real onError: what every afflux app does with a thrown ApiError. */
function appThrowing(err: Error) {
  const app = new Hono();
  app.onError(onError);
  app.get("/x", () => { throw err; });
  return app;
}

describe("error codes of the contract", () => {
  it("maps headers_too_large to 431 and unavailable to 503", () => {
    expect(ERROR_STATUS.headers_too_large).toBe(431);
    expect(ERROR_STATUS.unavailable).toBe(503);
  });

  it("unavailable carries Retry-After and the envelope", async () => {
    const res = await appThrowing(unavailable("the database is not reachable", 2)).request("/x");
    expect(res.headers.get("retry-after")).toBe("2");
    await expectError(res, 503, "unavailable");
  });

  it("rate_limited carries Retry-After rounded up to whole seconds", async () => {
    const res = await appThrowing(rateLimited("slow down", 0.2)).request("/x");
    expect(res.headers.get("retry-after")).toBe("1");
    await expectError(res, 429, "rate_limited");
  });

  it("errors without a retry hint send no Retry-After", async () => {
    const res = await appThrowing(new ApiError("headers_too_large", "too big")).request("/x");
    expect(res.headers.get("retry-after")).toBeNull();
    await expectError(res, 431, "headers_too_large");
  });
});
