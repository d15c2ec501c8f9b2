/**
 * The API Worker (wrangler.api.toml): the whole app of src/http/app.ts (postbacks with
 * attribution from the signed click id, management API, dashboard; redirects too when reached
 * directly), the click Queue consumer and the scheduled jobs (webhook and postback delivery every
 * minute, settle every ten). Thin adapters only.
 */
import { ClientClickStore } from "../src/db/queries/clicks";
import { createApp } from "../src/http/app";
import { logError, logWarn } from "../src/log";
import { runJobs } from "../src/services/jobs";
import type { ClickRow } from "../src/services/tracking/clickEvent";
import { edgeFetch, openDb, serverSecret, webhookTargetsOf, type WorkerEnv } from "./shared";

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

  /**
   * Cron, every minute: deliver due webhooks and postbacks (the one job registry's `webhooks`);
   * every ten minutes also settle every program and catch up rollups. On Workers an event thus
   * leaves within about a minute (retries are minutes apart from the second one on anyway).
   */
  async scheduled(controller, env, ctx) {
    const { client, db } = openDb(env);
    const settleDue = controller.cron === "*/10 * * * *" || new Date(controller.scheduledTime).getUTCMinutes() % 10 === 0;
    ctx.waitUntil(
      (async () => {
        // webhooks every tick (each minute), the rest every tenth minute; mail has no SMTP socket
        // here, so mails wait in the outbox
        const deps = { db, secret: await serverSecret(env), webhookTargets: webhookTargetsOf(env), mail: null, log: logWarn };
        console.log(`afflux: jobs ${JSON.stringify(await runJobs(deps, controller.scheduledTime, settleDue ? ["webhooks", "settle", "mail"] : ["webhooks"]))}`);
        if (!settleDue) return;
        await new ClientClickStore(client).rollup();
      })(),
    );
  },
} satisfies ExportedHandler<WorkerEnv, ClickRow>;
