/**
 * The tracking Worker (wrangler.toml): redirect, pixel, snippet, near every visitor. Thin: the
 * handlers are the Node server's; clicks go to the Queue (workers/queueSink.ts); every other path
 * goes to the API Worker through the `API` service binding.
 *
 * Two Workers, not one: the whole app (createApp with @hono/zod-openapi, zod and every API
 * route) bundles to ~200 KiB gzip, twice the tracking budget of 100 KiB, and a redirect isolate
 * would parse and compile all of it on every cold start. Split this way, the hot path ships only
 * what it runs, the API Worker (workers/api.ts) carries zod, the Queue consumer and the cron, and
 * both read the same libSQL database. A service binding call costs no extra network hop.
 */
import { createTrackingApp } from "./trackingApp";
import { edgeFetch, type WorkerEnv } from "./shared";

type TrackingEnv = WorkerEnv & { API: Fetcher };

const fetchTracking = edgeFetch((edge, env) => createTrackingApp(edge.deps, (req) => (env as TrackingEnv).API.fetch(req)));

export default {
  fetch: (request, env, ctx) => fetchTracking(request, env, ctx),
} satisfies ExportedHandler<TrackingEnv>;
