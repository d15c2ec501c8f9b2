import type { Db } from "../db/client";
import { deliverMails, type MailTransport } from "./mail/deliver";
import { settleAll } from "./prm/settle";

/** What every job may use; each runtime (Node timer, CLI, Workers cron) builds it once. */
export interface JobDeps {
  db: Db;
  /** null where no SMTP is configured (and on the Workers): mails wait in the outbox */
  mail: MailTransport | null;
  log: (line: string) => void;
}

export interface Job {
  /** how often the Node server runs it (ms); the Workers cron runs every job on its schedule */
  everyMs: (settleMinutes: number) => number;
  run: (deps: JobDeps, now: number) => Promise<Record<string, number>>;
}

/**
 * The one registry of jobs: each an idempotent function of (deps, now), safe to run twice at
 * once, run by the Node server's timers, by `npm run afflux -- jobs run [name]` and by the
 * Workers cron. A new area adds its job here, nowhere else.
 */
export const JOBS = {
  /** approve due commissions, recompute tiers */
  settle: { everyMs: (minutes) => minutes * 60_000, run: async (d, now) => ({ ...(await settleAll(d.db, now, d.log)) }) },
  /** send the mails that are due */
  mail: { everyMs: () => 5_000, run: (d, now) => deliverMails(d.db, now, d.mail) },
} satisfies Record<string, Job>;

export type JobName = keyof typeof JOBS;
export const JOB_NAMES = Object.keys(JOBS) as JobName[];

/** Runs every job once (the Workers cron, `jobs run`); one job's failure does not stop the others. */
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
