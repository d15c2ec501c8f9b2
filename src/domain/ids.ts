import { createHash } from "node:crypto";
import { customAlphabet } from "nanoid";

const ALPHANUMERIC = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const idBody = customAlphabet(ALPHANUMERIC, 16);
const keyBody = customAlphabet(ALPHANUMERIC, 32);
const slugBody = customAlphabet(ALPHANUMERIC, 7);

export type IdPrefix = "ven" | "key" | "prg" | "tier" | "rule" | "ptn" | "lnk" | "cnv" | "com" | "adj" | "pay" | "bat" | "evt" | "mail" | "deal" | "lead" | "att" | "apl" | "agr" | "whk" | "whd" | "ann" | "sat";

/** Prefixed random ids ("prg_…") tell their kind at a glance in logs and support tickets. */
export function newId(prefix: IdPrefix): string {
  return `${prefix}_${idBody()}`;
}

/**
 * A prefixed id that sorts by creation time (milliseconds in base 36, then 10 random
 * characters), for append-mostly tables: new rows land on the last page of the primary-key
 * index instead of a random one (the outbox takes two rows per conversion, thousands a second; conversions and commissions as many).
 */
export function newTimeOrderedId(prefix: IdPrefix, now: number): string {
  return `${timeOrderedIdPrefix(prefix, now)}${idBody().slice(0, 10)}`;
}

/** The part of a time-ordered id before its 10 random characters (SQL that makes ids in bulk adds them). */
export function timeOrderedIdPrefix(prefix: IdPrefix, now: number): string {
  return `${prefix}_${Math.max(0, Math.floor(now)).toString(36).padStart(9, "0")}`;
}

export const KEY_PREFIXES = {
  vendor: "afx_sk_",
  partner: "afx_pk_",
  postback: "afx_pb_",
  public: "afx_pub_",
} as const;
export type KeyKind = keyof typeof KEY_PREFIXES;

/** A new API key of a kind: ~190 random bits behind the kind's prefix. */
export function newApiKey(kind: KeyKind): string {
  return `${KEY_PREFIXES[kind]}${keyBody()}`;
}

/** Keys are stored only as this hash; they are long and random, so a fast hash is enough. */
export function hashApiKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

export function generatedSlug(): string {
  return slugBody();
}

/** A one-off token that marks which concurrent update won (see `change_token` columns). */
export function newToken(): string {
  return idBody();
}
