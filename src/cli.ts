import { openAndMigrate } from "./bootstrap";
import { allowPrivateTargets, loadConfig } from "./config";
import { nodeTargetPolicy } from "./services/webhooks/nodeResolve";
import { insertVendor } from "./db/queries/keys";
import { seedDemo } from "./services/demo/seedDemo";
import { settleAll } from "./services/prm/settle";
import { JOB_NAMES, runJobs, type JobName } from "./services/jobs";
import { smtpTransport } from "./services/mail/smtp";

const USAGE = `usage: npm run afflux -- <command>
  migrate                         apply database migrations
  keys create vendor --name NAME  create a vendor and print its admin key (shown once)
  settle [--now ISO]              approve due commissions, recompute tiers, expire deals, time out leads
  jobs run [NAME] [--now ISO]     run every job once, or the one named (${JOB_NAMES.join(", ")})
  demo                            seed a demo vendor, program, partners, links and traffic`;

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

/** Command-line entry: thin wrappers over the same services the server uses. */
async function main(argv: string[]) {
  const [command, ...args] = argv;
  if (!command || command === "help" || command === "--help") return console.log(USAGE);
  const config = loadConfig();
  const { database, secret } = await openAndMigrate(config.DATABASE_URL, config.DATABASE_AUTH_TOKEN, config.AFFLUX_SECRET);
  try {
    if (command === "migrate") {
      console.log(`migrations applied to ${config.DATABASE_URL}`);
    } else if (command === "keys" && args[0] === "create" && args[1] === "vendor") {
      const name = flag(args, "name");
      if (!name) throw new Error("keys create vendor needs --name NAME");
      const vendor = await insertVendor(database.db, name, Date.now());
      console.log(`vendor ${vendor.id} (${vendor.name})\nadmin key (shown once): ${vendor.apiKey}`);
    } else if (command === "settle") {
      const at = flag(args, "now");
      const now = at ? Date.parse(at) : Date.now();
      if (Number.isNaN(now)) throw new Error("--now must be an ISO-8601 timestamp");
      const result = await settleAll(database.db, now, (line) => console.error(line));
      console.log(`settled: ${result.approved} commissions approved, ${result.tierChanges} tier changes, ${result.expiredDeals} deals expired, ${result.timedOutLeads} leads timed out`);
    } else if (command === "jobs" && args[0] === "run") {
      // every job, or the one named: settle, mail…
      const name = args[1] && !args[1].startsWith("--") ? args[1] : undefined;
      if (name && !(JOB_NAMES as string[]).includes(name)) throw new Error(`no job "${name}"; jobs: ${JOB_NAMES.join(", ")}`);
      const at = flag(args, "now");
      const now = at ? Date.parse(at) : Date.now();
      if (Number.isNaN(now)) throw new Error("--now must be an ISO-8601 timestamp");
      const mail = config.AFFLUX_SMTP_URL ? smtpTransport(config.AFFLUX_SMTP_URL, config.AFFLUX_MAIL_FROM) : null;
      const webhookTargets = nodeTargetPolicy(allowPrivateTargets(config));
      const results = await runJobs({ db: database.db, secret, webhookTargets, mail, log: (line) => console.error(line) }, now, name ? [name as JobName] : JOB_NAMES);
      mail?.close();
      for (const [job, result] of Object.entries(results)) console.log(`${job}: ${JSON.stringify(result)}`);
    } else if (command === "demo") {
      const publicUrl = config.AFFLUX_PUBLIC_URL ?? `http://localhost:${config.PORT}`;
      await seedDemo({ db: database.db, client: database.client, filePath: database.filePath, secret, publicUrl, log: (line) => console.log(line) });
    } else {
      console.error(USAGE);
      process.exitCode = 2;
    }
  } finally {
    database.close();
  }
}

main(process.argv.slice(2)).catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
