import { createHmac } from "node:crypto";

/** Agreement bodies are text up to 60 KiB (UTF-8 bytes). */
export const MAX_AGREEMENT_BYTES = 60 * 1024;

/**
 * What an acceptance keeps of the client: a keyed hash of IP and user agent, so that the
 * server can later recognise "the same client" without ever storing the address.
 */
export function acceptanceHash(secret: string, ip: string, userAgent: string): string {
  return createHmac("sha256", secret).update(`afflux agreement\n${ip}\n${userAgent}`).digest("base64url");
}

/** A partner must accept when the program has an agreement and the partner has not accepted its current version. */
export const mustAccept = (current: { version: number } | null, acceptedVersion: number | null) => current !== null && acceptedVersion !== current.version;
