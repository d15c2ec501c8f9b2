import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerOptions, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { HEADERS_TOO_LARGE_MESSAGE } from "../middleware/headerLimit";
import { RESERVED_SLUGS, SLUG_PATTERN } from "../../domain/slug";
import type { AppDeps } from "../deps";
import { redirectHeaders } from "./redirect";
import { incomingFacts } from "./requestFacts";
import { postbackFastPath, withPostbackFastPath } from "./postbackFastPath";

export interface RedirectFastPathOptions {
  trustForwardedFor: boolean;
  /** the `hostname` given to @hono/node-server's `serve`: it stands in for a missing Host header */
  defaultHostname?: string;
}

/** A query that WHATWG URL parsing leaves byte for byte as it is (no `"`, `#`, `'`, `<`, `>`, space, control or non-ASCII). */
const PLAIN_QUERY = /^[!$-&(-;=?-~]*$/;
/**
 * The Node server's shortcut for the one request that matters for throughput: `GET /<slug>` of a
 * link already in the link cache. It answers straight from Node's request, skipping the
 * Fetch Request, Hono's routing (the full route set keeps Hono on its slower trie router) and
 * the promise chain of the adapter, with exactly the response the `/:slug` route would give
 * (same `redirectHeaders`, same header order, `Content-Length: 0`). Everything else goes to
 * `listener` (the full app): HEAD (Hono answers it through its own GET-then-strip path),
 * reserved first segments, cache misses, unknown slugs (404 page), any query or Host header
 * the adapter would normalise or reject, and any error.
 *
 * @example
 * createServer(options, withRedirectFastPath(honoListener, deps, { trustForwardedFor: false }))
 */
export function withRedirectFastPath(listener: RequestListener, deps: AppDeps, opts: RedirectFastPathOptions): RequestListener {
  const hostValid = new Map<string, boolean>();

  /** @hono/node-server's check (400 for a Host it cannot use), remembered per Host value. */
  function validHost(host: string | undefined): boolean {
    if (!host) return false;
    let ok = hostValid.get(host);
    if (ok === undefined) {
      try {
        const { hostname } = new URL(`http://${host}/`);
        ok = hostname.length === host.length || hostname === host.replace(/:\d+$/, "");
      } catch {
        ok = false;
      }
      if (hostValid.size >= 1000) hostValid.clear();
      hostValid.set(host, ok);
    }
    return ok;
  }

  function fastRedirect(incoming: IncomingMessage): Record<string, string | number> | null {
    const url = incoming.url ?? "";
    if (url.charCodeAt(0) !== 47 /* / */) return null;
    const q = url.indexOf("?");
    const slug = q === -1 ? url.slice(1) : url.slice(1, q);
    const rawQuery = q === -1 ? "" : url.slice(q + 1);
    if (!SLUG_PATTERN.test(slug) || RESERVED_SLUGS.has(slug.toLowerCase()) || !PLAIN_QUERY.test(rawQuery)) return null;
    const link = deps.linkCache.peek(slug);
    if (!link) return null;
    if (!validHost(incoming.headers.host || opts.defaultHostname)) return null;
    const headers: Record<string, string | number> = redirectHeaders(deps, link, true, rawQuery, incomingFacts(incoming, opts.trustForwardedFor));
    headers["Content-Length"] = 0; // as @hono/node-server adds it for the empty string body
    return headers;
  }

  return (incoming: IncomingMessage, outgoing: ServerResponse) => {
    if (incoming.method === "GET") {
      let headers: Record<string, string | number> | null = null;
      try {
        headers = fastRedirect(incoming);
      } catch {
        // thrown before the click was pushed (pushing never throws): the app answers, errors included
      }
      if (headers) {
        outgoing.writeHead(302, headers);
        outgoing.end("");
        return;
      }
    }
    listener(incoming, outgoing);
  };
}

/**
 * `createServer` for @hono/node-server's `serve`, putting the fast paths (cached redirects,
 * JSON postbacks) in front of its listener.
 *
 * @example
 * serve({ fetch: app.fetch, port, hostname, createServer: createServerWithFastPaths(deps, { trustForwardedFor, defaultHostname: hostname }) })
 */
export function createServerWithFastPaths(deps: AppDeps, opts: RedirectFastPathOptions, postbacks = postbackFastPath(deps)): typeof createServer {
  return ((options: ServerOptions, listener: RequestListener) =>
    answerClientErrors(createServer(options, withRedirectFastPath(withPostbackFastPath(listener, postbacks), deps, opts)))) as typeof createServer;
}

/** A raw HTTP/1.1 response that closes the connection (the parser cannot go on after an error). */
function rawResponse(status: string, type: string, body: string): string {
  return `HTTP/1.1 ${status}\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

/**
 * Node's parser refuses headers over its maxHeaderSize (16 KiB, the contract's limit too) before
 * any listener runs, and by default answers a bare `431`. This answers it with the contract's
 * error envelope instead; every other parse error gets Node's own answers (a listener on
 * 'clientError' replaces them all, so they are repeated here).
 */
export function answerClientErrors(server: Server): Server {
  server.on("clientError", (err: NodeJS.ErrnoException, socket: Duplex) => {
    // as Node does: answer only when nothing of a response went out yet on this connection
    const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (err.code !== "ECONNRESET" && socket.writable && !inFlight?.headersSent) {
      if (err.code === "HPE_HEADER_OVERFLOW") {
        const body = JSON.stringify({ error: { code: "headers_too_large", message: HEADERS_TOO_LARGE_MESSAGE, requestId: crypto.randomUUID() } });
        socket.write(rawResponse("431 Request Header Fields Too Large", "application/json", body));
      } else if (err.code === "HPE_CHUNK_EXTENSIONS_OVERFLOW") {
        socket.write(rawResponse("413 Payload Too Large", "text/plain", ""));
      } else if (err.code === "ERR_HTTP_REQUEST_TIMEOUT") {
        socket.write(rawResponse("408 Request Timeout", "text/plain", ""));
      } else {
        socket.write(rawResponse("400 Bad Request", "text/plain", ""));
      }
    }
    socket.destroy(err);
  });
  return server;
}
