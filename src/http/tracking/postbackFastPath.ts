import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { timingSafeEqual } from "node:crypto";
import { isBusy } from "../../db/errors";
import { hashApiKey } from "../../domain/ids";
import type { AppDeps } from "../deps";
import { BUSY_MESSAGE, BUSY_RETRY_SECONDS, errorEnvelope, ERROR_STATUS, retryAfterHeader } from "../errors";
import { MAX_BODY_BYTES } from "../app";
import { answerPostback, ConversionBody } from "./conversions";

const BEARER = /^Bearer\s+(\S+)/i;
const JSON_TYPE = /^application\/json\s*(;|$)/i;

/** What the fast path did with a request (tests and health read it). */
export interface PostbackFastPathStats {
  /** answered here */
  served: number;
  /** handed to the full app */
  passed: number;
}

/** Attached to a request the fast path read but hands on: @hono/node-server takes the body from it. */
type ReadIncoming = IncomingMessage & { rawBody?: Buffer };

/**
 * The Node server's shortcut for `POST /v1/conversions`, the write that must take thousands a
 * second: it reads Node's request directly (no Fetch Request, no stream adapters, no Hono
 * routing or middleware chain, which cost more than the conversion itself, profiled) and answers
 * exactly as the route would, through the same schema, key check, rate limit and
 * `answerPostback`. Anything it does not handle in full is handed to the app before anything is
 * written, with the body it read: a missing, unknown or wrong-kind key (the app counts failed
 * authentications and words the 401/403), invalid input, a conflict (both write nothing, so
 * the app's second look answers the same), a spent rate limit, chunked or oversized bodies.
 * A busy database is answered here (503), so that a postback is not made to wait twice.
 */
export function postbackFastPath(deps: AppDeps) {
  const stats: PostbackFastPathStats = { served: 0, passed: 0 };

  function sameAsAdmin(hash: string): boolean {
    if (!deps.adminKeyHash) return false;
    return hash.length === deps.adminKeyHash.length && timingSafeEqual(Buffer.from(hash), Buffer.from(deps.adminKeyHash));
  }

  /** The answer, or null to hand the request to the app. Writes only when it answers. */
  async function answer(incoming: IncomingMessage, body: Buffer): Promise<{ status: number; json: unknown; retryAfter?: string } | null> {
    const key = BEARER.exec(incoming.headers.authorization ?? "")?.[1];
    if (!key || !deps.reads || !deps.writes) return null;
    const hash = hashApiKey(key); // once: the admin check and the key cache both need it
    if (sameAsAdmin(hash)) return null;
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString("utf8"));
    } catch {
      return null;
    }
    const input = ConversionBody.safeParse(parsed);
    if (!input.success) return null;
    const caller = await deps.reads.keyScope(key, deps.now(), hash);
    if (!caller || caller.kind !== "postback" || !caller.programId) return null;
    // counted here; when spent, the app counts again and answers the 429 (a spent bucket stays spent)
    if (!(await deps.rateLimits.postback.take(`postback:${caller.programId}`, 1)).ok) return null;
    const program = await deps.reads.program(caller.programId);
    if (!program) return null;
    try {
      return await answerPostback(deps, program, input.data);
    } catch (err) {
      if (isBusy(err)) return { status: ERROR_STATUS.unavailable, json: errorEnvelope("unavailable", BUSY_MESSAGE), retryAfter: retryAfterHeader(BUSY_RETRY_SECONDS) };
      return null; // an ApiError (nothing written) or a fault: the app answers it, and logs the fault
    }
  }

  /** True when the request is the fast path's to try (it then answers or hands on by itself). */
  function handle(incoming: ReadIncoming, outgoing: ServerResponse, handOn: () => void): boolean {
    if (incoming.method !== "POST" || incoming.url !== "/v1/conversions") return false;
    const length = Number(incoming.headers["content-length"]);
    if (!JSON_TYPE.test(incoming.headers["content-type"] ?? "") || !(length > 0 && length <= MAX_BODY_BYTES)) return false;
    const chunks: Buffer[] = [];
    let size = 0;
    incoming.on("data", (chunk: Buffer) => {
      size += chunk.length;
      chunks.push(chunk);
    });
    incoming.on("end", () => {
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
      const pass = () => {
        stats.passed++;
        incoming.rawBody = body;
        handOn();
      };
      answer(incoming, body).then(
        (result) => {
          if (!result) return pass();
          stats.served++;
          const text = JSON.stringify(result.json);
          const headers: Record<string, string | number> = { "content-type": "application/json", "Content-Length": Buffer.byteLength(text) };
          if (result.retryAfter) headers["retry-after"] = result.retryAfter;
          outgoing.writeHead(result.status, headers);
          outgoing.end(text);
        },
        pass,
      );
    });
    return true;
  }

  return { handle, stats };
}

/** Puts the postback fast path in front of a listener (the full app). */
export function withPostbackFastPath(listener: RequestListener, fast: ReturnType<typeof postbackFastPath>): RequestListener {
  return (incoming, outgoing) => {
    if (!fast.handle(incoming, outgoing, () => listener(incoming, outgoing))) listener(incoming, outgoing);
  };
}
