import ipaddr from "ipaddr.js";

/**
 * Where a webhook or postback may be sent (CONTRACT-PRM §4 "Targets"): https only, and never
 * to a host that is or resolves to a loopback, private, link-local, multicast, unspecified or
 * otherwise reserved address, IPv4 or IPv6 (an IPv4-mapped IPv6 address is judged as its IPv4).
 * `allowPrivate` (AFFLUX_WEBHOOK_ALLOW_PRIVATE=1) lifts both rules, for local receivers.
 * Pure: the DNS answers are handed in (src/services/webhooks/targets.ts resolves them).
 */

export const MAX_TARGET_URL_LENGTH = 2048;

export type TargetCheck = { ok: true; url: URL; literal: boolean } | { ok: false; reason: string };

/** The address is a public unicast one (ipaddr.js's range is "unicast"). */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let ip = ipaddr.parse(address);
  if (ip.kind() === "ipv6" && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
  return ip.range() === "unicast";
}

const hostOf = (url: URL) => (url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname);

/** The URL's own rules (before any DNS): scheme, credentials, literal addresses, localhost. */
export function checkTargetUrl(text: string, allowPrivate: boolean): TargetCheck {
  if (text.length > MAX_TARGET_URL_LENGTH) return { ok: false, reason: `the URL is longer than ${MAX_TARGET_URL_LENGTH} characters` };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, reason: "not a valid absolute URL" };
  }
  if (url.protocol !== "https:" && !(allowPrivate && url.protocol === "http:")) return { ok: false, reason: "the URL must use https" };
  if (url.username || url.password) return { ok: false, reason: "the URL must not carry credentials" };
  const host = hostOf(url);
  if (!host) return { ok: false, reason: "the URL has no host" };
  const literal = ipaddr.isValid(host) && (host.includes(":") || /^\d+\.\d+\.\d+\.\d+$/.test(host));
  if (allowPrivate) return { ok: true, url, literal };
  if (literal && !isPublicAddress(host)) return { ok: false, reason: `the host ${url.hostname} is not a public address` };
  if (host === "localhost" || host.endsWith(".localhost")) return { ok: false, reason: "the host localhost is not a public address" };
  return { ok: true, url, literal };
}

/** The DNS answers of a host name are all public (any private one refuses the whole name). */
export function checkResolved(hostname: string, addresses: readonly string[], allowPrivate: boolean): { ok: true } | { ok: false; reason: string } {
  if (allowPrivate) return { ok: true };
  if (addresses.length === 0) return { ok: false, reason: `the host ${hostname} does not resolve` };
  const bad = addresses.find((a) => !isPublicAddress(a));
  return bad === undefined ? { ok: true } : { ok: false, reason: `the host ${hostname} resolves to ${bad}, not a public address` };
}
