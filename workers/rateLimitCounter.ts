import { DurableObject } from "cloudflare:workers";
import { decide, type RateDecision, type RateRule, type RateState } from "../src/domain/rateLimit";

/**
 * One rate-limit counter per key (`idFromName(key)`), for the limits a rate-limiting binding
 * cannot express: held pixel conversions a day per program, application forms an hour per
 * address. Its state is the domain's window or bucket, kept in the object's storage, so that it
 * survives eviction and is the same for every isolate everywhere. Low volume by nature: each is
 * asked once or twice per pixel conversion or form.
 */
export class RateLimitCounter extends DurableObject {
  async take(rule: RateRule, cost: number): Promise<RateDecision> {
    const before = await this.ctx.storage.get<RateState>("state");
    const { state, ...decision } = decide(rule, before, Date.now(), cost);
    if (decision.ok && cost > 0) await this.ctx.storage.put("state", state);
    return decision;
  }
}
