// `npm run bench` = `tsx bench/index.ts [--only <part>]`.
// Runs the registered parts in order; progress goes to stderr, each part's table to stdout, and
// the LAST line of stdout is one JSON object merging every part's metrics (+ `targets_met`).
import { log, stopAll } from './lib.js';
import type { Part } from './part.js';
import { redirectPart } from './redirect.js';

/** The registry: add new parts here (name → runner). */
const PARTS: Record<string, Part> = {
  redirect: redirectPart,
  postback: async () => (await import('./postback.js')).postbackPart(), // POST /v1/conversions at fixed rates: postback_max_rps, postback_p99_ms (issue 9)
  edge: async () => (await import('./edge.js')).edgePart(), // tracking Worker vs bare Hono Worker under workerd serve
  prm: async () => (await import('./prm.js')).prmPart(), // settle + reports on 10 M clicks / 1 M conversions (bench/prm-seed.ts)
  dashboard: async () => (await import('./dashboard.js')).dashboardPart(), // TTFB + gzip size of every dashboard page on the demo data (issue 5)
  coselling: async () => (await import('./coselling.js')).cosellingPart(), // lead_route_ms, deal_register_p99_ms (issue 13)
  webhooks: async () => (await import('./webhooks.js')).webhooksPart(), // webhook_events_per_s, webhook_lag_p99_ms under 200 postbacks/s (issue 12)
  durability: async () => (await import('./durability.js')).durabilityPart(), // kill -9 with the database locked, redirect p99 while a 200k-click journal replays (issue 9)
};

/** `--only a` or `--only a,b` (parts run in the registry's order, so one run can compare them). */
function selected(argv: string[]): string[] {
  const i = argv.indexOf('--only');
  if (i === -1) return Object.keys(PARTS);
  const names = (argv[i + 1] ?? '').split(',').filter(Boolean);
  const unknown = names.filter((n) => !(n in PARTS));
  if (names.length === 0 || unknown.length > 0) {
    throw new Error(`--only needs one or more of: ${Object.keys(PARTS).join(', ')} (got ${argv[i + 1] ?? 'nothing'})`);
  }
  return Object.keys(PARTS).filter((n) => names.includes(n));
}

async function main(): Promise<number> {
  const names = selected(process.argv.slice(2));
  const out: Record<string, unknown> = {};
  const targets: Record<string, boolean> = {};
  const failures: string[] = [];
  for (const name of names) {
    log(`part ${name}: start`);
    const t0 = Date.now();
    try {
      const r = await PARTS[name]!();
      Object.assign(out, r.metrics);
      Object.assign(targets, r.targets);
      failures.push(...r.failures);
      process.stdout.write(`${r.table}\n\n`);
    } catch (e) {
      const msg = (e as Error).message;
      failures.push(`${name}: ${msg}`);
      out[`${name}_error`] = msg.split('\n')[0];
    }
    log(`part ${name}: done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  for (const f of failures) log(`FAILED ${f}`);
  out.targets_met = targets;
  out.ok = failures.length === 0;
  process.stdout.write(`${JSON.stringify(out)}\n`);
  return failures.length ? 1 : 0;
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    log(`${sig}: stopping child servers`);
    void stopAll().finally(() => process.exit(130));
  });
}

main()
  .then((code) => {
    process.exitCode = code;
  })
  .catch(async (e: unknown) => {
    log(`fatal: ${e instanceof Error ? e.message : String(e)}`);
    await stopAll();
    process.exitCode = 1;
  });
