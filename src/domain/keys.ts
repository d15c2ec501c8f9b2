/** Rotation grace periods of program keys, in hours (contract: 0–168). */
export const MAX_GRACE_HOURS = 168;

/**
 * How long a rotated program key keeps working. The postback key sits on the vendor's server,
 * which can switch at once (default 0); the public key sits in pages and caches (default 168 h).
 */
export function rotationGraceMs(kind: "postback" | "public", graceHours: number | undefined): number {
  const hours = graceHours ?? (kind === "public" ? MAX_GRACE_HOURS : 0);
  return Math.round(hours * 3_600_000);
}
