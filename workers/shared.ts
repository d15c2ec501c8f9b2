import type { TargetPolicy } from "../src/services/webhooks/targets";
import { ClientClickStore } from "../src/db/queries/clicks";
import { getOrCreateSetting } from "../src/db/queries/settings";
import { openRemoteDatabase } from "../src/db/remote";
import { hashApiKey } from "../src/domain/ids";
import type { AppDeps } from "../src/http/deps";
import { headerFacts } from "../src/http/tracking/requestFacts";
import type { ClickRow } from "../src/services/tracking/clickEvent";
import { logError } from "../src/log";
import { QueueClickSink } from "./queueSink";
import { workerRateLimits, type RateLimitBindings } from "./rateLimits";
import { EdgeLinkCache } from "./sharedLinkCache";

/**
 * What both Workers bind (worker-configuration.d.ts is `wrangler types` of wrangler.toml; the
 * API Worker's wrangler.api.toml declares the same minus the `API` service binding).
 */
export type WorkerEnv = Omit<Env, "API" | "CLICKS"> & { CLICKS: Queue<ClickRow>; AFFLUX_WEBHOOK_ALLOW_PRIVATE?: string } & RateLimitBindings;

/**
 * Where webhooks and postbacks may go from a Worker. workerd has no DNS API: literal addresses
 * and localhost are refused, names are not resolved here (Cloudflare's egress does not reach
 * private networks from a Worker).
 */
export const webhookTargetsOf = (env: WorkerEnv): TargetPolicy => ({
  allowPrivate: env.AFFLUX_WEBHOOK_ALLOW_PRIVATE === "1" || env.AFFLUX_WEBHOOK_ALLOW_PRIVATE === "true",
});

/** Like the Node server: AFFLUX_SECRET when set, else the one kept in the database. */
export async function serverSecret(env: WorkerEnv): Promise<string> {
  return env.AFFLUX_SECRET || (await getOrCreateSetting(openDb(env).db, "afflux_secret", randomSecret));
}

let database: ReturnType<typeof openRemoteDatabase> | null = null;

/** One libSQL client per isolate: env is the same for every event an isolate handles. */
export function openDb(env: WorkerEnv) {
  if (!env.DATABASE_URL) throw new Error("DATABASE_URL is not set (wrangler secret put DATABASE_URL)");
  database ??= openRemoteDatabase(env.DATABASE_URL, env.DATABASE_AUTH_TOKEN);
  return database;
}

export interface EdgeDeps {
  deps: AppDeps;
  sink: QueueClickSink;
  linkCache: EdgeLinkCache;
}

/** AppDeps from bindings, built once per isolate (like src/server.ts builds them once per process). */
export async function edgeDeps(env: WorkerEnv, origin: string): Promise<EdgeDeps> {
  const { client, db } = openDb(env);
  const secret = await serverSecret(env);
  const linkCache = EdgeLinkCache.create(client, typeof caches === "undefined" ? null : caches.default);
  const sink = new QueueClickSink(env.CLICKS, new ClientClickStore(client), secret);
  const deps: AppDeps = {
    db, secret, clickSink: sink, linkCache, now: Date.now,
    publicUrl: (env.AFFLUX_PUBLIC_URL || origin).replace(/\/$/, ""),
    adminKeyHash: env.AFFLUX_ADMIN_KEY ? hashApiKey(env.AFFLUX_ADMIN_KEY) : null,
    readClickFacts: headerFacts({ ipHeader: "cf-connecting-ip" }),
    rateLimits: workerRateLimits(env),
    webhookTargets: webhookTargetsOf(env),
  };
  return { deps, sink, linkCache };
}

function randomSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * Builds the isolate's app once (retrying after a failed start), runs the request, then hands
 * the clicks and Cache API writes it left behind to ctx.waitUntil.
 */
export function edgeFetch<A extends { fetch(req: Request, env: unknown, ctx: ExecutionContext): Response | Promise<Response> }>(
  makeApp: (edge: EdgeDeps, env: WorkerEnv) => A,
) {
  let isolate: Promise<{ app: A; edge: EdgeDeps }> | null = null;
  return async (request: Request, env: WorkerEnv, ctx: ExecutionContext): Promise<Response> => {
    isolate ??= edgeDeps(env, new URL(request.url).origin)
      .then((edge) => ({ edge, app: makeApp(edge, env) }))
      .catch((err) => {
        isolate = null; // database down at start: the next request tries again
        throw err;
      });
    let built: { app: A; edge: EdgeDeps };
    try {
      built = await isolate;
    } catch (err) {
      logError("afflux: start failed", err);
      return new Response("service unavailable", { status: 503, headers: { "retry-after": "1" } });
    }
    const response = await built.app.fetch(request, env, ctx);
    const clicks = built.edge.sink.drain();
    if (clicks) ctx.waitUntil(clicks);
    const cacheWrites = built.edge.linkCache.drain();
    if (cacheWrites) ctx.waitUntil(cacheWrites);
    return response;
  };
}
