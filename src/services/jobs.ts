import type { Db } from "../db/client";
import { settleAll } from "./prm/settle";
import { runWebhookDeliveries } from "./webhooks/deliver";
import type { TargetPolicy } from "./webhooks/targets";

/** What every job may use; each entry point (Node timer, CLI, Workers cron) builds one. */
export interface JobContext {
  db: Db;
  /** the server secret */
  secret: string;
  /** where webhooks and postbacks may go */
  webhookTargets: TargetPolicy;
  log: (line: string) => void;
}

/** A job: idempotent, a function of (context, now); answers one line saying what it did. */
export type Job = (ctx: JobContext, now: number) => Promise<string>;

/**
 * The one registry of scheduled jobs (DESIGN "Growing afflux"): the Node server's timers, the
 * CLI (`npm run afflux -- jobs run [name]`) and the API Worker's cron all run these.
 */
export const JOBS = {
  settle: async (ctx, now) => {
    const r = await settleAll(ctx.db, now, ctx.log);
    return `settled: ${r.approved} commissions approved, ${r.tierChanges} tier changes`;
  },
  webhooks: async (ctx, now) => {
    const r = await runWebhookDeliveries({ db: ctx.db, secret: ctx.secret, targets: ctx.webhookTargets, log: ctx.log }, now);
    return `webhooks: ${r.fannedOut} events fanned out, ${r.attempted} attempts (${r.succeeded} delivered, ${r.failed} failed)`;
  },
} satisfies Record<string, Job>;

export type JobName = keyof typeof JOBS;
export const isJobName = (name: string): name is JobName => Object.hasOwn(JOBS, name);
