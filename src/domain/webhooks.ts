/**
 * Outbound webhooks and partner postbacks, the rules (pure; the I/O is in
 * src/services/webhooks/): which events exist, the retry schedule, Standard Webhooks signing
 * and the postback URL template. Signing uses WebCrypto so the same code runs in Node and workerd.
 */

/** The events an endpoint may subscribe to (CONTRACT-PRM §4), or "*". */
export const WEBHOOK_EVENTS = [
  "conversion.created", "conversion.refunded", "commission.created", "commission.updated",
  "payout.created", "payout.paid", "partner.created", "partner.updated", "application.created",
  "deal.created", "deal.updated", "lead.updated", "announcement.published",
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** An endpoint's filter: "*" or a list of event names. */
export const matchesFilter = (filter: readonly string[], type: string) => filter.includes("*") || filter.includes(type);

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** After attempt n fails, attempt n+1 follows after RETRY_DELAYS_MS[n-1]; 8 attempts in all (~27.6 h). */
export const RETRY_DELAYS_MS = [5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 10 * HOUR] as const;
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;
/** an endpoint whose every attempt failed for this long is disabled */
export const DISABLE_AFTER_MS = 5 * DAY;
/** both secrets sign for this long after a rotation */
export const ROTATION_OVERLAP_MS = DAY;
/** an attempt being sent is leased this long; a process that died lets it go after that */
export const LEASE_MS = 60 * SECOND;
export const TIMEOUT_MS = 10 * SECOND;
export const EXCERPT_BYTES = 1024;

/**
 * When the attempt after a failed `attempt` is due, or null when none is left. Jittered by
 * ±10% so that endpoints failing together do not all come back in the same second.
 * `random` in [0, 1).
 */
export function nextAttemptAt(attempt: number, failedAt: number, random: number): number | null {
  const delay = RETRY_DELAYS_MS[attempt - 1];
  if (delay === undefined) return null;
  return failedAt + Math.round(delay * (0.9 + 0.2 * random));
}

/** True when an endpoint failing since `failingSince` has failed long enough to be disabled. */
export const shouldDisable = (failingSince: number | null, now: number) => failingSince !== null && now - failingSince >= DISABLE_AFTER_MS;

const enc = new TextEncoder();

function base64(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return null;
  try {
    return Uint8Array.from(atob(text), (ch) => ch.charCodeAt(0));
  } catch {
    return null;
  }
}

/** A new signing secret: `whsec_` + base64 of 24 random bytes, as the Standard Webhooks libraries make them. */
export function newSigningSecret(): string {
  return `whsec_${base64(crypto.getRandomValues(new Uint8Array(24)))}`;
}

/** HMAC keys by secret, imported once (bounded: an endpoint has one or two secrets). */
const hmacKeys = new Map<string, Promise<CryptoKey>>();
function hmacKey(secret: string): Promise<CryptoKey> {
  let key = hmacKeys.get(secret);
  if (!key) {
    const raw = fromBase64(secret.startsWith("whsec_") ? secret.slice("whsec_".length) : secret);
    if (!raw) throw new Error("a webhook secret is not base64");
    key = crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    if (hmacKeys.size >= 1000) hmacKeys.clear();
    hmacKeys.set(secret, key);
  }
  return key;
}

/**
 * The `webhook-signature` header: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` for each
 * secret (the key is the base64-decoded part after `whsec_`), space-separated.
 */
export async function signatureHeader(secrets: readonly string[], id: string, timestampSeconds: number, body: string): Promise<string> {
  const signed = enc.encode(`${id}.${timestampSeconds}.${body}`);
  const parts: string[] = [];
  for (const secret of secrets) {
    const key = await hmacKey(secret);
    parts.push(`v1,${base64(new Uint8Array(await crypto.subtle.sign("HMAC", key, signed)))}`);
  }
  return parts.join(" ");
}

/** The body of a webhook: the same bytes on every attempt (the timestamp is the event's). */
export const webhookBody = (type: string, at: number, data: unknown) => JSON.stringify({ type, timestamp: new Date(at).toISOString(), data });

/** The values a postback template may use; a missing one becomes the empty string. */
export type PostbackValues = Partial<Record<"click_id" | "sub1" | "sub2" | "sub3" | "sub4" | "sub5" | "order_id" | "event" | "amount" | "commission" | "currency" | "status", string | null>>;
const MACRO = /\{([a-z0-9_]+)\}/g;

/** The URL a postback requests: each macro replaced by its URL-encoded value; unknown macros are left out. */
export function renderPostbackUrl(template: string, values: PostbackValues): string {
  return template.replace(MACRO, (_, name: string) => {
    const value = Object.hasOwn(values, name) ? values[name as keyof PostbackValues] : null;
    return value === null || value === undefined ? "" : encodeURIComponent(value);
  });
}
