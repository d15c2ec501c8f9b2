import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { logError } from "../log";
import { isBusy } from "../db/errors";

export const BUSY_MESSAGE = "the database is busy; nothing was recorded, retry shortly";
export const BUSY_RETRY_SECONDS = 2;

export const ERROR_STATUS = {
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  headers_too_large: 431,
  internal: 500,
  unavailable: 503,
} as const satisfies Record<string, ContentfulStatusCode>;
export type ErrorCode = keyof typeof ERROR_STATUS;

export interface FieldProblem {
  path: string;
  message: string;
}

/**
 * The one error type handlers throw; `onError` turns it into the contract's envelope.
 * `retryAfterSeconds` becomes a `Retry-After` header (for `rate_limited` and `unavailable`).
 */
export class ApiError extends HTTPException {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: FieldProblem[],
    readonly retryAfterSeconds?: number,
  ) {
    super(ERROR_STATUS[code], { message });
  }
}

export const invalid = (path: string, message: string) => new ApiError("validation_failed", message, [{ path, message }]);
export const notFound = (what: string) => new ApiError("not_found", `${what} not found`);
export const rateLimited = (message: string, retryAfterSeconds: number) => new ApiError("rate_limited", message, undefined, retryAfterSeconds);
export const unavailable = (message: string, retryAfterSeconds: number) => new ApiError("unavailable", message, undefined, retryAfterSeconds);

const CODE_BY_STATUS: Record<number, ErrorCode> = Object.fromEntries(
  Object.entries(ERROR_STATUS).map(([code, status]) => [status, code as ErrorCode]),
);

/** The contract's error envelope (also for answers built outside Hono, such as the Node fast paths). */
export function errorEnvelope(code: ErrorCode, message: string, requestId: string = crypto.randomUUID(), details?: FieldProblem[]) {
  return { error: { code, message, ...(details?.length ? { details } : {}), requestId } };
}

/** Retry-After is whole seconds; never 0, so a client that honours it does not hammer us. */
export const retryAfterHeader = (seconds: number): string => String(Math.max(1, Math.ceil(seconds)));

export function errorResponse(c: Context, code: ErrorCode, message: string, details?: FieldProblem[], retryAfterSeconds?: number) {
  const requestId = (c.get("requestId" as never) as string | undefined) ?? crypto.randomUUID();
  if (retryAfterSeconds !== undefined) c.header("retry-after", retryAfterHeader(retryAfterSeconds));
  return c.json(errorEnvelope(code, message, requestId, details), ERROR_STATUS[code]);
}

/**
 * Maps every failure to the envelope: our ApiError as is, Hono's own HTTPExceptions (malformed
 * JSON, body limit) by status, anything else as `internal` without leaking the stack.
 */
export function onError(err: Error, c: Context) {
  if (err instanceof ApiError) return errorResponse(c, err.code, err.message, err.details, err.retryAfterSeconds);
  if (err instanceof HTTPException) {
    const code = CODE_BY_STATUS[err.status] ?? (err.status >= 500 ? "internal" : "validation_failed");
    const message = err.status === 400 && /json/i.test(err.message) ? "request body is not valid JSON" : err.message || code;
    return errorResponse(c, code, message);
  }
  // Another connection holds the write lock (a long write, a backup): nothing was written, retry.
  if (isBusy(err)) return errorResponse(c, "unavailable", BUSY_MESSAGE, undefined, BUSY_RETRY_SECONDS);
  const requestId = (c.get("requestId" as never) as string | undefined) ?? crypto.randomUUID();
  c.set("requestId" as never, requestId as never);
  logError(`unhandled error in ${c.req.method} ${c.req.path} (request ${requestId})`, err);
  return errorResponse(c, "internal", "internal error");
}
