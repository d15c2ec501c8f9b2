import { createHash } from "node:crypto";
import { sipHash, sipKey, type SipKey } from "./siphash";
import { isbot } from "isbot";
import UAParser from "ua-parser-js";

/**
 * User agents repeat heavily, so classification is memoised. The caches are bounded by clearing
 * when full: cheaper than LRU bookkeeping, and a refill costs only one parse per distinct agent.
 */
const MAX_CACHED = 5000;
const botCache = new Map<string, boolean>();
const uaCache = new Map<string, UserAgentInfo>();

export function isBotAgent(userAgent: string): boolean {
  let bot = botCache.get(userAgent);
  if (bot === undefined) {
    // An empty user agent is not a browser a person uses.
    bot = userAgent === "" || isbot(userAgent);
    if (botCache.size >= MAX_CACHED) botCache.clear();
    botCache.set(userAgent, bot);
  }
  return bot;
}

export interface UserAgentInfo {
  browser: string | null;
  os: string | null;
  /** desktop, mobile, tablet, console, smarttv, wearable, embedded or bot */
  device: string;
}

export function describeUserAgent(userAgent: string, bot: boolean): UserAgentInfo {
  const key = bot ? `\u0000${userAgent}` : userAgent;
  let info = uaCache.get(key);
  if (!info) {
    const ua = new UAParser(userAgent).getResult();
    info = {
      browser: ua.browser.name ?? null,
      os: ua.os.name ?? null,
      // ua-parser reports no device type for desktops.
      device: bot ? "bot" : (ua.device.type ?? "desktop"),
    };
    if (uaCache.size >= MAX_CACHED) uaCache.clear();
    uaCache.set(key, info);
  }
  return info;
}

/** Host of a Referer header, or null when absent or unparsable. */
export function referrerHost(referer: string | null | undefined): string | null {
  if (!referer) return null;
  try {
    return new URL(referer).hostname || null;
  } catch {
    return null;
  }
}

export const DAY_MS = 86_400_000;

const visitorKeys = new Map<string, SipKey>();
// Inputs beyond 4 KB (absurd user agents) are hashed by their first 4 KB.
const scratch = new Uint8Array(4096);
const encoder = new TextEncoder();

/**
 * Keyed hash of IP + user agent + UTC day, as a 48-bit integer: it tells unique visitors apart
 * without storing the IP, and cannot be reversed or joined across days. SipHash (not HMAC)
 * because it runs once per click.
 */
export function visitorHash(secret: string, ip: string, userAgent: string, ts: number): number {
  let key = visitorKeys.get(secret);
  if (!key) {
    key = sipKey(createHash("sha256").update(`afflux visitor\n${secret}`).digest());
    visitorKeys.set(secret, key);
  }
  const day = Math.floor(ts / DAY_MS);
  const { written } = encoder.encodeInto(`${day}\n${ip}\n${userAgent}`, scratch);
  const [lo, hi] = sipHash(key, scratch, written);
  return (hi & 0xffff) * 2 ** 32 + lo;
}
