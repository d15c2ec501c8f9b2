import type { Db } from "../db/client";
import { deliverMails, type MailTransport } from "./mail/deliver";
import { settleAll } from "./prm/settle";
import { runWebhookDeliveries } from "./webhooks/deliver";
import { pruneDeliveryLog } from "./webhooks/retention";
import type { TargetPolicy } from "./webhooks/targets";

/** What every job may use; each runtime (Node timer, CLI, Workers cron) builds it once. */
export interface JobDeps {
  db: Db;
  /** the server secret (webhook secrets are sealed with it) */
  secret: string;
  /** where webhooks and postbacks may go */
  webhookTargets: TargetPolicy;
  /** null where no SMTP is configured (and on the Workers): mails wait in the outbox */
  mail: MailTransport | null;
  log: (line: string) => void;
}

/** The Node server's intervals, from the configuration. */
export interface JobIntervals {
  settleMinutes: number;
  webhookMs: number;
}

export interface Job {
  /** how often the Node server runs it (ms, 0: never); the Workers cron runs jobs on its schedule */
  everyMs: (i: JobIntervals) => number;
  run: (deps: JobDeps, now: number) => Promise<Record<string, number>>;
}

/**
 * The one registry of jobs (DESIGN "Growing afflux"): each an idempotent function of
 * (deps, now), safe to run twice at once, run by the Node server's timers, by
 * `npm run afflux -- jobs run [name]` and by the API Worker's cron. A new area adds its job
 * here, nowhere else.
 */
export const JOBS = {
  /** approve due commissions, recompute tiers, expire deals, time out leads; prune the webhook delivery log (30 days) */
  settle: { everyMs: (i) => i.settleMinutes * 60_000, run: async (d, now) => ({ ...(await settleAll(d.db, now, d.log)), ...(await pruneDeliveryLog(d.db, now)) }) },
  /** send due webhooks and partner postbacks (often: an event should leave within a second) */
  webhooks: { everyMs: (i) => i.webhookMs, run: async (d, now) => ({ ...(await runWebhookDeliveries({ db: d.db, secret: d.secret, targets: d.webhookTargets, log: d.log }, now)) }) },
  /** send the mails that are due */
  mail: { everyMs: () => 5_000, run: (d, now) => deliverMails(d.db, now, d.mail) },
} satisfies Record<string, Job>;

export type JobName = keyof typeof JOBS;
export const JOB_NAMES = Object.keys(JOBS) as JobName[];
export const isJobName = (name: string): name is JobName => Object.hasOwn(JOBS, name);

/** Runs jobs once (the Workers cron, `jobs run`); one job's failure does not stop the others. */
export async function runJobs(deps: JobDeps, now: number, names: readonly JobName[] = JOB_NAMES): Promise<Record<string, Record<string, number> | { error: string }>> {
  const results: Record<string, Record<string, number> | { error: string }> = {};
  for (const name of names) {
    try {
      results[name] = await JOBS[name].run(deps, now);
    } catch (err) {
      results[name] = { error: err instanceof Error ? err.message : String(err) };
      deps.log(`job ${name} failed: ${results[name].error}`);
    }
  }
  return results;
}
