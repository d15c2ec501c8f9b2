export const SLUG_PATTERN = /^[A-Za-z0-9_-]{3,64}$/;

/** First path segments that belong to afflux itself; no link may use them. */
export const RESERVED_SLUGS: ReadonlySet<string> = new Set([
  "api", "app", "portal", "v1", "apply", "badge", "px.gif", "afflux.js", "healthz", "static", "favicon.ico", "robots.txt",
]);

export type SlugCheck = { ok: true } | { ok: false; message: string };

export function checkSlug(slug: string): SlugCheck {
  if (!SLUG_PATTERN.test(slug)) return { ok: false, message: "slug must be 3–64 characters of A–Z, a–z, 0–9, _ and -" };
  if (RESERVED_SLUGS.has(slug.toLowerCase())) return { ok: false, message: `slug "${slug}" is reserved` };
  return { ok: true };
}
