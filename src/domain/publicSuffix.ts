import { parse } from "tldts";

// Kept apart from urlSafety.ts on purpose: the redirect imports urlSafety, and the public-suffix
// list (≈ 50 KiB gzip) must stay out of the tracking Worker's bundle (budget 100 KiB). Only
// program settings (API and dashboard) need it.

const OPTIONS = { allowPrivateDomains: true } as const;

/**
 * Whether a normalized hostname (lower-case, punycode, no trailing dot) is itself a public
 * suffix, one under which anyone can register a name: ICANN ones (`com`, `co.uk`) and private
 * ones (`github.io`, `blogspot.com`). A name the list does not know as a suffix is not one, so
 * single-label hosts such as `localhost` or `intranet` stay usable; IP addresses are never one.
 */
export function isPublicSuffix(host: string): boolean {
  const parsed = parse(host, OPTIONS);
  if (parsed.isIp) return false;
  return parsed.publicSuffix === host && (parsed.isIcann === true || parsed.isPrivate === true);
}
