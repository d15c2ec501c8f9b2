import type { RateLimitCounter } from "./rateLimitCounter";
import { DEFAULT_RATE_RULES, MemoryRateLimiter, type RateDecision, type RateLimiter, type RateRule, type RateLimitName, type RateLimits } from "../src/domain/rateLimit";

/**
 * The contract's rate limits on Workers: Workers rate-limiting bindings (`[[ratelimits]]` in
 * wrangler*.toml), counted by Cloudflare near the visitor and shared by every isolate of a
 * location. A binding knows only fixed windows of 10 or 60 seconds, so:
 * - failed authentications and pixels: 20 per 60 s, exactly the contract's;
 * - API (100/s, bursts of 500) and postbacks (5,000/s, bursts of 20,000): the sustained rate
 *   over 10 s windows (1,000 and 50,000), so a burst may reach one whole window;
 * - held pixels a day and application forms an hour have no binding form: a Durable Object
 *   counts them (workers/rateLimitCounter.ts, binding RATE_COUNTER), with the Node server's
 *   AFFLUX_RATE_PIXEL_HOLD_PER_DAY / AFFLUX_RATE_APPLY_PER_HOUR as optional vars.
 * A missing binding (local runs, older configs) falls back to in-isolate counters with the
 * contract's defaults.
 */
type BindingName = `RATE_${"FAILED_AUTH" | "API" | "POSTBACK" | "PIXEL"}`;
export type RateLimitBindings = Partial<Record<BindingName, RateLimit>> & {
  RATE_COUNTER?: DurableObjectNamespace<RateLimitCounter>;
  AFFLUX_RATE_PIXEL_HOLD_PER_DAY?: string;
  AFFLUX_RATE_APPLY_PER_HOUR?: string;
};

const BINDINGS: Partial<Record<RateLimitName, { binding: BindingName; periodSeconds: number }>> = {
  failedAuth: { binding: "RATE_FAILED_AUTH", periodSeconds: 60 },
  api: { binding: "RATE_API", periodSeconds: 10 },
  postback: { binding: "RATE_POSTBACK", periodSeconds: 10 },
  pixel: { binding: "RATE_PIXEL", periodSeconds: 60 },
};

/** A rate-limiting binding as a RateLimiter: its window is unknown, so Retry-After is a whole period. */
export class BindingRateLimiter implements RateLimiter {
  constructor(private readonly binding: RateLimit, private readonly periodSeconds: number) {}

  async take(key: string, cost = 1): Promise<RateDecision> {
    // a binding cannot be asked without counting; nothing here asks a binding-backed limit that way
    if (cost <= 0) return { ok: true, retryAfterSeconds: 0 };
    for (let i = 0; i < cost; i++) {
      const { success } = await this.binding.limit({ key });
      if (!success) return { ok: false, retryAfterSeconds: this.periodSeconds };
    }
    return { ok: true, retryAfterSeconds: 0 };
  }
}

/** A limit counted by the RateLimitCounter Durable Object of its key. */
export class DurableObjectRateLimiter implements RateLimiter {
  constructor(private readonly counters: DurableObjectNamespace<RateLimitCounter>, private readonly rule: RateRule) {}

  take(key: string, cost = 1): Promise<RateDecision> {
    return this.counters.get(this.counters.idFromName(key)).take(this.rule, cost);
  }
}

/** A window rule from an optional var (a whole number; 0 turns it off), else the default. */
function windowRule(name: "pixelHold" | "applicationForm", value: string | undefined): RateRule | null {
  const rule = DEFAULT_RATE_RULES[name];
  if (value === undefined || value === "" || !rule || rule.kind !== "window") return rule;
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 0) throw new Error(`invalid configuration: ${name} limit ${value}`);
  return limit === 0 ? null : { ...rule, limit };
}

/** In-isolate counters with the contract's defaults, for what has no binding. */
function memoryFallback(name: RateLimitName): RateLimiter {
  const rule = DEFAULT_RATE_RULES[name];
  return rule ? new MemoryRateLimiter(rule, Date.now) : { take: () => ({ ok: true, retryAfterSeconds: 0 }) };
}

export function workerRateLimits(env: RateLimitBindings): RateLimits {
  const make = (name: RateLimitName): RateLimiter => {
    const spec = BINDINGS[name];
    const binding = spec ? env[spec.binding] : undefined;
    return spec && binding ? new BindingRateLimiter(binding, spec.periodSeconds) : memoryFallback(name);
  };
  const counted = (name: "pixelHold" | "applicationForm", value: string | undefined): RateLimiter => {
    const rule = windowRule(name, value);
    if (!rule) return { take: () => ({ ok: true, retryAfterSeconds: 0 }) };
    return env.RATE_COUNTER ? new DurableObjectRateLimiter(env.RATE_COUNTER, rule) : new MemoryRateLimiter(rule, Date.now);
  };
  return {
    failedAuth: make("failedAuth"), api: make("api"), postback: make("postback"),
    pixel: make("pixel"),
    pixelHold: counted("pixelHold", env.AFFLUX_RATE_PIXEL_HOLD_PER_DAY),
    applicationForm: counted("applicationForm", env.AFFLUX_RATE_APPLY_PER_HOUR),
  };
}
