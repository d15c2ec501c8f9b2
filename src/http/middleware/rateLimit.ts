import type { Context, MiddlewareHandler } from "hono";
import { clientAddressKey, type RateDecision, type RateLimitName } from "../../domain/rateLimit";
import { hashApiKey } from "../../domain/ids";
import type { AppEnv } from "../deps";
import { ApiError } from "../errors";

const WHAT: Record<RateLimitName, string> = {
  failedAuth: "too many failed authentications from this address",
  api: "too many requests with this API key",
  postback: "too many postbacks for this program",
  pixel: "too many pixel conversions from this address",
  pixelHold: "too many held pixel conversions for this program today",
  applicationForm: "too many applications from this address",
};

/** Throws the contract's 429: envelope code `rate_limited` and a `Retry-After` in seconds. */
export function rateLimited(c: Context, limit: RateLimitName, retryAfterSeconds: number): never {
  c.header("retry-after", String(retryAfterSeconds));
  throw new ApiError("rate_limited", `${WHAT[limit]}; retry in ${retryAfterSeconds} s`);
}

/**
 * Counts one request (or `cost`; 0 only asks) against a limit. The key is prefixed with the
 * limit's name, so that limits may share one store (the Workers' Durable Object).
 */
export async function takeLimit(c: Context<AppEnv>, limit: RateLimitName, key: string, cost = 1): Promise<RateDecision> {
  return c.var.deps.rateLimits[limit].take(`${limit}:${key}`, cost);
}

/** Counts one request against a limit; throws the 429 once it is spent. */
export async function enforce(c: Context<AppEnv>, limit: RateLimitName, key: string): Promise<void> {
  const decision = await takeLimit(c, limit, key);
  if (!decision.ok) rateLimited(c, limit, decision.retryAfterSeconds);
}

/** The counter key of the client's address: a keyed hash, never the address itself. */
export function clientKeyOf(c: Context<AppEnv>): string {
  const { deps } = c.var;
  return clientAddressKey(deps.secret, deps.readClickFacts(c).ip);
}

/** The counter key of the bearer API key (its hash), or null without one. */
export function apiKeyOf(c: Context): string | null {
  const key = /^Bearer\s+(\S+)/i.exec(c.req.header("authorization") ?? "")?.[1];
  return key ? hashApiKey(key) : null;
}

/**
 * Limits every request of a route by a key read from the request; a request without a key
 * (`keyOf` answers null) is not counted here.
 *
 * @example app.use("/api/*", rateLimit({ limit: "api", keyOf: apiKeyOf }))
 */
export function rateLimit(opts: { limit: RateLimitName; keyOf: (c: Context<AppEnv>) => string | null }): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const key = opts.keyOf(c);
    if (key !== null) await enforce(c, opts.limit, key);
    await next();
  };
}

/**
 * Counts a failed authentication (unknown key, bad session, bad sign-in) of the client's
 * address, and throws the 429 instead of the caller's own refusal once the address has failed
 * too often in the window. Only failures count: a valid key from the same address still passes.
 */
export function failedAuthentication(c: Context<AppEnv>): Promise<void> {
  return enforce(c, "failedAuth", clientKeyOf(c));
}
