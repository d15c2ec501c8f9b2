import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIPv6, type LookupFunction } from "node:net";
import { checkResolved } from "../../domain/webhookTargets";
import type { TargetPolicy } from "./targets";

/**
 * A fetch for webhooks and partner postbacks on Node that checks a host name's addresses when it
 * connects, and connects to the addresses it checked. `checkTarget` resolves the name before the
 * request, but the global fetch resolves it again to connect: a DNS server that answers a public
 * address first and a private one a moment later (rebinding) would reach the private one. Here
 * the connection's own lookup is the check, so there is no second answer to trust.
 *
 * Only what delivery uses: method, headers, a string body, an abort signal; redirects are never
 * followed (node:http does not), which is what delivery asks for.
 */
export function guardedFetch(policy: TargetPolicy): typeof fetch {
  const resolve = policy.resolve;
  const lookup: LookupFunction | undefined = policy.allowPrivate || !resolve ? undefined : (hostname, options, callback) => {
    resolve(hostname).then(
      (addresses) => {
        const verdict = checkResolved(hostname, addresses, false);
        if (!verdict.ok) return callback(Object.assign(new Error(`refused: ${verdict.reason}`), { code: "EREFUSED_PRIVATE" }), "", 0);
        const answers = addresses.map((address) => ({ address, family: isIPv6(address) ? 6 : 4 }));
        // Node 20 connects with autoSelectFamily, which asks for every address at once
        if (options.all) (callback as unknown as (err: null, all: typeof answers) => void)(null, answers);
        else callback(null, answers[0]!.address, answers[0]!.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, "", 0),
    );
  };
  return (async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = new URL(input instanceof Request ? input.url : input);
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    const body = typeof init.body === "string" ? init.body : null;
    if (body !== null) headers["content-length"] = String(Buffer.byteLength(body));
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    const res = await new Promise<IncomingMessage>((done, fail) => {
      const req = send(url, { method: init.method ?? "GET", headers, signal: init.signal ?? undefined, ...(lookup ? { lookup } : {}) }, done);
      // an abort fails with the signal's reason, as fetch does (a timeout is a TimeoutError)
      req.on("error", (err) => fail(init.signal?.aborted ? init.signal.reason : err));
      req.end(body ?? undefined);
    });
    const status = res.statusCode ?? 0;
    const answerHeaders = new Headers();
    for (const [name, value] of Object.entries(res.headers)) {
      if (value !== undefined) answerHeaders.set(name, Array.isArray(value) ? value.join(", ") : value);
    }
    // a Response cannot carry a body with these statuses (and has none outside 200–599)
    const noBody = status === 204 || status === 205 || status === 304;
    if (noBody) res.resume();
    return new Response(noBody ? null : bodyOf(res, init.signal), { status, headers: answerHeaders });
  }) as typeof fetch;
}

/** The answer's body as a web stream, paused while nobody reads; an abort fails it with the signal's reason. */
function bodyOf(res: IncomingMessage, signal: AbortSignal | null | undefined): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      res.on("data", (chunk: Buffer) => {
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 0) <= 0) res.pause();
      });
      res.on("end", () => controller.close());
      res.on("error", (err) => controller.error(signal?.aborted ? signal.reason : err));
    },
    pull() { res.resume(); },
    cancel() { res.destroy(); },
  });
}
