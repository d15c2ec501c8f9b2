import { serve } from "@hono/node-server";
import { openAndMigrate } from "./bootstrap";
import { allowPrivateTargets, loadConfig, rateRules } from "./config";
import { ClientClickStore, NativeClickStore } from "./db/queries/clicks";
import { hashApiKey } from "./domain/ids";
import { memoryRateLimits } from "./domain/rateLimit";
import { createApp } from "./http/app";
import type { AppDeps } from "./http/deps";
import { LinkCache } from "./http/tracking/linkCache";
import { createServerWithFastPaths } from "./http/tracking/nodeFastPath";
import { nodeFacts } from "./http/tracking/requestFacts";
import { JOB_NAMES, JOBS, type JobDeps } from "./services/jobs";
import { smtpTransport } from "./services/mail/smtp";
import { nodeTargetPolicy } from "./services/webhooks/nodeResolve";
import { BatchingClickSink } from "./services/tracking/clickSink";
import { conversionWriter } from "./services/tracking/conversions";
import { groupCommitClient } from "./db/nativeBatch";
import { RESTART_FRAMES } from "./db/checkpoints";
import { logError, logInfo, logWarn } from "./log";

/** A database URL without what may be secret in it (`libsql://…?authToken=…`, user:password@). */
const databaseForLog = (url: string) => url.replace(/\?.*$/, "").replace(/\/\/[^/@]*@/, "//");

/** The Node server: embedded libSQL by default, clicks batched in process, graceful shutdown. */
async function main() {
  const config = loadConfig();
  const { database, secret } = await openAndMigrate(config.DATABASE_URL, config.DATABASE_AUTH_TOKEN, config.AFFLUX_SECRET);
  const trustProxy = config.AFFLUX_TRUST_PROXY === "1" || config.AFFLUX_TRUST_PROXY === "true";
  // A short busy timeout: a locked database must not stall the event loop (the redirects) for
  // long; the clicks are in the journal already, and the sink retries with backoff.
  const store = database.filePath ? new NativeClickStore(database.filePath, 25) : new ClientClickStore(database.client);
  const clickSink = new BatchingClickSink({
    store,
    secret,
    journalPath: database.filePath ? `${database.filePath}.clicks.journal` : null,
    onError: (err) => logError("click writes failing, keeping clicks until the database is back", err),
  });
  // New conversions are group-committed over a native connection that keeps statements prepared.
  const conversionClient = groupCommitClient(database);
  // The native connections' checkpoint workers keep the WAL short (src/db/checkpoints.ts). Left
  // at SQLite's 1000 pages, every write of the app's own connection under traffic would run a
  // checkpoint (copy and fsync) on the event loop; at twice the restart length it runs only
  // when nothing else writes long enough for the workers to act.
  if (database.filePath) await database.client.execute(`PRAGMA wal_autocheckpoint = ${2 * RESTART_FRAMES}`);
  const deps: AppDeps = {
    db: database.db, secret, clickSink, linkCache: new LinkCache(database.db), now: Date.now,
    publicUrl: (config.AFFLUX_PUBLIC_URL ?? `http://localhost:${config.PORT}`).replace(/\/$/, ""),
    adminKeyHash: config.AFFLUX_ADMIN_KEY ? hashApiKey(config.AFFLUX_ADMIN_KEY) : null,
    readClickFacts: nodeFacts({ trustForwardedFor: trustProxy }),
    rateLimits: memoryRateLimits(rateRules(config), Date.now),
    writes: conversionWriter(conversionClient),
    ...(conversionClient.row ? { prepared: { row: conversionClient.row.bind(conversionClient) } } : {}),
    webhookTargets: nodeTargetPolicy(allowPrivateTargets(config)),
  };
  const app = createApp(deps);

  // Cached redirects are answered before the adapter and Hono see them (same response).
  const createServer = createServerWithFastPaths(deps, { trustForwardedFor: trustProxy, defaultHostname: config.HOST });
  const server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST, createServer }, (info) => {
    logInfo(`afflux listening on http://${config.HOST}:${info.port} (database ${databaseForLog(config.DATABASE_URL)})`);
    if (!config.AFFLUX_ADMIN_KEY) {
      logInfo("no AFFLUX_ADMIN_KEY: the operator API (POST /api/v1/vendors) is off; create a first vendor key with `npm run afflux -- keys create vendor --name Acme`");
    }
  });
  server.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EADDRINUSE") {
      console.error(`afflux: port ${config.PORT} on ${config.HOST} is already in use (another afflux running?): stop it, or start with PORT=<another port>`);
    } else logError("the HTTP server failed", err);
    // Closed as at SIGTERM (the sink, then the connections and their checkpoint workers) before
    // the exit: an exit while a worker still opened its database, native code on its thread,
    // once ended the process by a signal instead of with code 1 (a CI run of the start-up test).
    process.exitCode = 1;
    void clickSink.close().finally(() => {
      store.close();
      conversionClient.close();
      database.close();
      setTimeout(() => process.exit(1), 100);
    });
  });
  // Clicks journaled by an earlier run (killed, or stopped while the database was away) are
  // written in the background, in slices between redirects: a long journal does not delay serving.
  void clickSink.flush();

  // The jobs of the one registry on timers (settle every few minutes, webhooks every few hundred
  // ms so that an event leaves well within a second, mail every few seconds); a job still
  // running when its timer fires is not started twice.
  const mail = config.AFFLUX_SMTP_URL ? smtpTransport(config.AFFLUX_SMTP_URL, config.AFFLUX_MAIL_FROM) : null;
  const jobDeps: JobDeps = { db: database.db, secret, webhookTargets: deps.webhookTargets!, mail, log: logWarn };
  const intervals = { settleMinutes: config.AFFLUX_SETTLE_INTERVAL_MINUTES, webhookMs: config.AFFLUX_WEBHOOK_INTERVAL_MS };
  const timers = JOB_NAMES.flatMap((name) => {
    const every = JOBS[name].everyMs(intervals);
    if (every <= 0) return [];
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      JOBS[name].run(jobDeps, Date.now()).catch((err) => logError(`the ${name} job failed`, err)).finally(() => (running = false));
    }, every);
    timer.unref();
    return [timer];
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logInfo(`${signal}: no new connections, writing waiting clicks…`);
    // Answered redirects are in the sink by now; stop accepting, then flush what waits.
    for (const timer of timers) clearInterval(timer);
    mail?.close();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      // keep-alive connections would hold close() open; in-flight requests still finish.
      if ("closeIdleConnections" in server) server.closeIdleConnections();
    });
    await clickSink.close();
    store.close();
    conversionClient.close();
    database.close();
    logInfo(`stopped; ${clickSink.stored} clicks written by this run`);
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

main().catch((err) => {
  logError("afflux could not start", err);
  process.exit(1);
});
