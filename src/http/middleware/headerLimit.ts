import type { MiddlewareHandler } from "hono";
import { ApiError } from "../errors";

/** The contract's limit on request headers; Node's own parser limit (maxHeaderSize) is the same. */
export const MAX_HEADER_BYTES = 16 * 1024;
export const HEADERS_TOO_LARGE_MESSAGE = `request headers are limited to ${MAX_HEADER_BYTES} bytes`;

/**
 * Refuses requests whose headers exceed 16 KiB (names, values and the ": " and CRLF around them)
 * with `431 headers_too_large`. On Node the parser refuses them before the app (see
 * nodeFastPath.ts); this covers runtimes that pass bigger headers through, such as Workers.
 */
export function headerLimit(): MiddlewareHandler {
  return async (c, next) => {
    let bytes = 0;
    // header values are byte strings: their length is their size
    for (const [name, value] of c.req.raw.headers) bytes += name.length + value.length + 4;
    if (bytes > MAX_HEADER_BYTES) throw new ApiError("headers_too_large", HEADERS_TOO_LARGE_MESSAGE);
    await next();
  };
}
