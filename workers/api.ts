/**
 * The API Worker (wrangler.api.toml): the whole app of src/http/app.ts (postbacks with
 * attribution from the signed click id, management API, dashboard; redirects too when reached
 * directly), the click Queue consumer and the scheduled settle. Thin adapters only.
 */
import { ClientClickStore } from "../src/db/queries/clicks";
import { createApp } from "../src/http/app";
import { logError, logWarn } from "../src/log";
import { settleAll } from "../src/services/prm/settle";
import type { ClickRow } from "../src/services/tracking/clickEvent";
import { edgeFetch, openDb, type WorkerEnv } from "./shared";

/** Counts the limits a rate-limiting binding cannot express (see workers/rateLimits.ts). */
export { RateLimitCounter } from "./rateLimitCounter";

// Workers compress responses themselves: the app must not gzip its pages too.
const fetchApi = edgeFetch((edge) => createApp(edge.deps, { compressPages: false }));

export default {
  fetch: (request, env, ctx) => fetchApi(request, env, ctx),

  /**
   * One delivered batch → one idempotent multi-row insert (ON CONFLICT(id) DO NOTHING, ≤ 100 rows
   * a statement), so a redelivered batch stores each click once; then the rollup folds them into
   * link counts and reports. A failed insert retries every message (then the dead-letter queue).
   */
  async queue(batch, env) {
    const store = new ClientClickStore(openDb(env).client);
    try {
      await store.insert(batch.messages.map((m) => m.body));
    } catch (err) {
      logError(`afflux: inserting ${batch.messages.length} clicks failed, retrying them`, err);
      for (const m of batch.messages) m.retry();
      return;
    }
    for (const m of batch.messages) m.ack();
    // The rows are stored: a failed rollup is caught up by the next batch or the cron.
    await store.rollup().catch((err) => logError("afflux: rollup failed", err));
  },

  /** Cron: settle every program (approve due commissions, recompute tiers), catch up rollups. */
  async scheduled(controller, env, ctx) {
    const { client, db } = openDb(env);
    ctx.waitUntil(
      (async () => {
        const r = await settleAll(db, controller.scheduledTime, logWarn);
        console.log(`afflux: settled ${r.approved} commissions, ${r.tierChanges} tier changes, ${r.expiredDeals} deals expired, ${r.timedOutLeads} leads timed out`);
        await new ClientClickStore(client).rollup();
      })(),
    );
  },
} satisfies ExportedHandler<WorkerEnv, ClickRow>;
