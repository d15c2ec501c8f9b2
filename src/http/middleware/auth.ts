import type { Context } from "hono";
import { timingSafeEqual } from "node:crypto";
import { hashApiKey } from "../../domain/ids";
import type { Actor } from "../../domain/audit";
import { findKeyScope, type KeyScope } from "../../db/queries/keys";
import type { AppEnv } from "../deps";
import { ApiError } from "../errors";
import { enforce, failedAuthentication } from "./rateLimit";

export type Caller = { kind: "operator" } | KeyScope;
export type CallerKind = Caller["kind"];

function bearer(c: Context): string | null {
  const header = c.req.header("authorization");
  if (!header) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m ? m[1]! : null;
}

function sameHash(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

/**
 * Resolves a key to its caller and checks its kind: a missing or unknown key is 401 (429 once
 * the address failed too often, see `failedAuthentication`), a key of the wrong kind 403. Scope
 * checks (404 outside it) are the handlers' job.
 */
export async function authenticate<K extends CallerKind>(c: Context<AppEnv>, key: string | null, kinds: readonly K[]): Promise<K extends "operator" ? { kind: "operator" } : KeyScope> {
  if (!key) throw new ApiError("unauthorized", "missing API key: send Authorization: Bearer <key>");
  const { deps } = c.var;
  let caller: Caller | null = null;
  if (deps.adminKeyHash && sameHash(hashApiKey(key), deps.adminKeyHash)) caller = { kind: "operator" };
  else caller = deps.reads ? await deps.reads.keyScope(key, deps.now()) : await findKeyScope(deps.db, key, deps.now());
  if (!caller) {
    await failedAuthentication(c);
    throw new ApiError("unauthorized", "unknown or revoked API key");
  }
  if (!kinds.includes(caller.kind as K)) throw new ApiError("forbidden", `this endpoint needs a ${kinds.join(" or ")} key, not a ${caller.kind} key`);
  // postbacks count per program (the key is only known here, after the lookup); the API per key is middleware
  if (caller.kind === "postback" && caller.programId) await enforce(c, "postback", caller.programId);
  return caller as K extends "operator" ? { kind: "operator" } : KeyScope;
}

export function requireCaller<K extends CallerKind>(c: Context<AppEnv>, kinds: readonly K[]) {
  return authenticate(c, bearer(c), kinds);
}

/** Who a caller is for the audit log: the key's row id, never the key. */
export function actorOf(caller: Caller): Actor {
  if (caller.kind === "operator") return { kind: "operator" };
  if (caller.kind === "partner" && caller.partnerId) return { kind: "partner", partnerId: caller.partnerId, keyId: caller.keyId };
  return { kind: "vendor", keyId: caller.keyId };
}
