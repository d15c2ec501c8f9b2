import { createHash } from "node:crypto";

/**
 * Rate limits as pure decisions over a small state, with the clock passed in: the Node limiter
 * below keeps states in a Map, the Workers' Durable Object keeps them in its storage.
 *
 * Two kinds, because the contract asks for both:
 * - `window`: at most `limit` per window that starts with the first request of a key; once spent,
 *   refused "for the rest of the window" (failed sign-ins, pixels, hold per day).
 * - `bucket`: a token bucket, `perSecond` sustained with bursts up to `burst` (API, postbacks).
 */
export type RateRule =
  | { kind: "window"; limit: number; windowMs: number }
  | { kind: "bucket"; perSecond: number; burst: number };

/** window: `start` of the window and `used` in it; bucket: `tokens` left at time `at`. */
export type RateState = { start: number; used: number } | { tokens: number; at: number };

export interface RateDecision {
  ok: boolean;
  /** whole seconds until a request of this cost would pass; 0 when ok */
  retryAfterSeconds: number;
}

/**
 * What the apps call; Node and Workers plug in their own. `cost` defaults to 1; `cost` 0 asks
 * whether one more would pass without counting it (check first, count once it happened).
 */
export interface RateLimiter {
  take(key: string, cost?: number): RateDecision | Promise<RateDecision>;
}

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/** The decision for one request and the state to keep afterwards. */
export function decide(rule: RateRule, state: RateState | undefined, now: number, cost = 1): RateDecision & { state: RateState } {
  const need = Math.max(cost, 1);
  if (rule.kind === "window") {
    const current = state && "start" in state && now < state.start + rule.windowMs ? state : { start: now, used: 0 };
    if (current.used + need > rule.limit) return { ok: false, retryAfterSeconds: seconds(current.start + rule.windowMs - now), state: current };
    return { ok: true, retryAfterSeconds: 0, state: { start: current.start, used: current.used + cost } };
  }
  const perMs = rule.perSecond / 1000;
  const before = state && "tokens" in state ? Math.min(rule.burst, state.tokens + Math.max(0, now - state.at) * perMs) : rule.burst;
  if (before < need) return { ok: false, retryAfterSeconds: seconds((need - before) / perMs), state: { tokens: before, at: now } };
  return { ok: true, retryAfterSeconds: 0, state: { tokens: before - cost, at: now } };
}

/** A state that has become the same as no state at all, so it can be forgotten. */
export function isIdle(rule: RateRule, state: RateState, now: number): boolean {
  if ("start" in state) return rule.kind !== "window" || now >= state.start + rule.windowMs;
  return rule.kind !== "bucket" || state.tokens + (now - state.at) * (rule.perSecond / 1000) >= rule.burst;
}

/**
 * In-process limiter (the Node server, tests): one state per key in a Map. Idle keys are swept
 * when the Map grows, so that a flood of distinct keys (addresses, garbage API keys) costs
 * memory only for as long as their windows last.
 */
export class MemoryRateLimiter implements RateLimiter {
  private readonly states = new Map<string, RateState>();
  private sweepAt: number;

  constructor(readonly rule: RateRule, private readonly now: () => number, private readonly sweepAbove = 10_000) {
    this.sweepAt = sweepAbove;
  }

  take(key: string, cost = 1): RateDecision {
    const now = this.now();
    const { state, ...decision } = decide(this.rule, this.states.get(key), now, cost);
    this.states.set(key, state);
    if (this.states.size > this.sweepAt) this.sweep(now);
    return decision;
  }

  get size(): number {
    return this.states.size;
  }

  private sweep(now: number): void {
    for (const [key, state] of this.states) if (isIdle(this.rule, state, now)) this.states.delete(key);
    // still big (many live keys): sweep again only once it has doubled, so sweeping stays amortised O(1)
    this.sweepAt = Math.max(this.sweepAbove, this.states.size * 2);
  }
}

/** A limiter that never refuses: for a limit configured off (0). */
export const UNLIMITED: RateLimiter = { take: () => ({ ok: true, retryAfterSeconds: 0 }) };

/**
 * The key of a client address for counters: an IPv6 address counts by its /64 (one subscriber
 * gets a whole /64 to rotate through), and the address is hashed with the server secret, so
 * that neither memory dumps nor a remote limiter ever hold it.
 */
export function clientAddressKey(secret: string, ip: string): string {
  return createHash("sha256").update(`afflux rate\n${secret}\n${addressPrefix(ip)}`).digest("base64url").slice(0, 22);
}

/** IPv4 as is (also when IPv4-mapped), IPv6 cut to its first four groups. */
export function addressPrefix(ip: string): string {
  const bare = ip.trim().replace(/^\[|\]$/g, "").replace(/%.*$/, "").toLowerCase();
  if (!bare.includes(":")) return bare;
  const mapped = /^::(?:ffff:)?(\d{1,3}(?:\.\d{1,3}){3})$/.exec(bare);
  if (mapped) return mapped[1]!;
  const [head = "", tail] = bare.split("::", 2);
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right];
  return groups.slice(0, 4).map((g) => (g.replace(/^0+/, "") || "0")).join(":") + "::/64";
}

/** Every limit of the contract ("Rate limits"), by name. */
export type RateLimitName = "failedAuth" | "api" | "postback" | "pixel" | "pixelHold" | "applicationForm";
export type RateLimits = Record<RateLimitName, RateLimiter>;
/** null: that limit is off */
export type RateRules = Record<RateLimitName, RateRule | null>;

const MINUTE_MS = 60_000;
export const DEFAULT_RATE_RULES: RateRules = {
  failedAuth: { kind: "window", limit: 20, windowMs: MINUTE_MS },
  api: { kind: "bucket", perSecond: 100, burst: 500 },
  postback: { kind: "bucket", perSecond: 5_000, burst: 20_000 },
  pixel: { kind: "window", limit: 20, windowMs: MINUTE_MS },
  pixelHold: { kind: "window", limit: 10_000, windowMs: 1_440 * MINUTE_MS },
  applicationForm: { kind: "window", limit: 10, windowMs: 60 * MINUTE_MS },
};

/** One in-process limiter per rule (Node server, tests). */
export function memoryRateLimits(rules: RateRules, now: () => number): RateLimits {
  const make = (rule: RateRule | null) => (rule ? new MemoryRateLimiter(rule, now) : UNLIMITED);
  return {
    failedAuth: make(rules.failedAuth), api: make(rules.api), postback: make(rules.postback),
    pixel: make(rules.pixel), pixelHold: make(rules.pixelHold), applicationForm: make(rules.applicationForm),
  };
}
