import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Partner badges: the token is the partner id and a MAC of it under the server secret, so it
 * is unguessable without any stored column, and one partner's token says nothing of another's.
 */
const mac = (secret: string, partnerId: string) => createHmac("sha256", secret).update(`afflux badge\n${partnerId}`).digest("base64url").slice(0, 22);

export const badgeToken = (secret: string, partnerId: string) => `${partnerId}.${mac(secret, partnerId)}`;

/** The partner id of a genuine token, or null. */
export function badgePartnerId(secret: string, token: string): string | null {
  const m = /^([A-Za-z0-9_]{1,100})\.([A-Za-z0-9_-]{22})$/.exec(token);
  if (!m) return null;
  const want = mac(secret, m[1]!);
  return timingSafeEqual(Buffer.from(want), Buffer.from(m[2]!)) ? m[1]! : null;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** The badge: self-contained SVG (no script, no external reference, no link), text escaped. */
export function badgeSvg(program: string, line: string): string {
  const top = esc(program.slice(0, 40));
  const bottom = esc(line.slice(0, 48));
  return `<svg xmlns="http://www.w3.org/2000/svg" width="240" height="64" viewBox="0 0 240 64" role="img" aria-label="${top}: ${bottom}">`
    + `<rect width="240" height="64" rx="10" fill="#1d4ed8"/>`
    + `<text x="16" y="27" font-family="system-ui,sans-serif" font-size="15" font-weight="700" fill="#fff">${top}</text>`
    + `<text x="16" y="48" font-family="system-ui,sans-serif" font-size="13" fill="#dbeafe">${bottom}</text></svg>`;
}
