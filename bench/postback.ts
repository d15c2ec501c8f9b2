// Postback part: POST /v1/conversions at fixed rates (unique order ids, a valid click id) on a
// fresh real server with one program. Each 201 means the conversion was committed before the
// answer; the part checks afterwards that every 201 is a stored conversion.
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { api, setupLink } from './api.js';
import { CPU, ROOT, log, pinned, round, startServer, waitReady, type Server } from './lib.js';
import type { PartResult } from './part.js';
import type { RateConfig, RateResult } from './rate-worker.js';

const P99_GOAL_AT_MAX_MS = 50;
const P99_GOAL_AT_1000_MS = 15;
const MAX_RPS_GOAL = 2000;
/** the rates tried for postback_max_rps, in order; the search stops at the first that misses */
const RATES = [1000, 1500, 2000, 2500, 3000, 4000, 5000];
const WARM_UP = { rate: 500, seconds: 4 };

const day = (offset: number): string => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const stepSeconds = (): number => Number(process.env.BENCH_POSTBACK_SECONDS ?? 20) || 20;

function runRate(cfg: RateConfig): Promise<RateResult> {
  const worker = fileURLToPath(new URL('./rate-worker.ts', import.meta.url));
  const [cmd, args] = pinned(CPU.load, [process.execPath, '--import', 'tsx', worker, JSON.stringify(cfg)]);
  const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    let result: RateResult | undefined;
    child.on('message', (m: RateResult) => void (result = m));
    child.on('error', reject);
    child.on('exit', (code) => (result ? resolve(result) : reject(new Error(`rate worker exited (code ${code}) without a result`))));
  });
}

export async function postbackPart(): Promise<PartResult> {
  const dataDir = join(ROOT, 'bench/.data');
  mkdirSync(dataDir, { recursive: true });
  const dbName = `postback-${Date.now()}.db`;
  const adminKey = `afx_admin_${randomBytes(24).toString('base64url')}`;
  let server: Server | undefined;
  try {
    server = await startServer('real server', 'src/server.ts', {
      DATABASE_URL: `file:bench/.data/${dbName}`, AFFLUX_ADMIN_KEY: adminKey, AFFLUX_SECRET: randomBytes(32).toString('hex'),
      AFFLUX_SETTLE_INTERVAL_MINUTES: '0',
    });
    await waitReady(server, '/healthz', 200, 90_000);
    const fx = await setupLink(server.base, adminKey);
    const { programId } = fx;
    await api(server.base, fx.vendorKey, 'POST', `/api/v1/programs/${programId}/rules`, { event: 'sale', type: 'percent', value: '20' });
    const redirect = await fetch(`${server.base}/${fx.slug}`, { redirect: 'manual', headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0 Safari/537.36' } });
    const clickId = new URL(redirect.headers.get('location')!).searchParams.get('afx_click')!;
    const base: Omit<RateConfig, 'rate' | 'seconds' | 'prefix'> = { url: `${server.base}/v1/conversions`, key: fx.postbackKey, clickId };

    const seconds = stepSeconds();
    const steps: (RateResult & { rate: number })[] = [];
    // A running server is warm: JIT-compiled, caches filled. Without this, the first second of
    // the first step (the 1000/s one) measures the compiler rather than the postback path.
    log(`warm-up: postbacks at ${WARM_UP.rate}/s for ${WARM_UP.seconds} s (not measured)`);
    let created = (await runRate({ ...base, ...WARM_UP, prefix: 'warm' })).created;
    for (const rate of RATES) {
      log(`postbacks at ${rate}/s for ${seconds} s`);
      const r = await runRate({ ...base, rate, seconds, prefix: `r${rate}` });
      created += r.created;
      steps.push({ ...r, rate });
      log(`  p50 ${round(r.p50_ms)} ms, p99 ${round(r.p99_ms)} ms, 201: ${r.created}/${r.sent} ${JSON.stringify(r.other)}${r.retried ? `, ${r.retried} sent again after a reset kept-alive socket` : ''}`);
      if (r.p99_ms > P99_GOAL_AT_MAX_MS || r.created !== r.sent) break;
    }
    const report = await api(server.base, fx.vendorKey, 'GET', `/api/v1/programs/${programId}/report?groupBy=partner&from=${day(-1)}&to=${day(1)}`);
    const storedConversions = Number((report.totals as { conversions: number }).conversions);
    const passing = steps.filter((s) => s.p99_ms <= P99_GOAL_AT_MAX_MS && s.created === s.sent);
    const maxRps = passing.length ? Math.max(...passing.map((s) => s.rate)) : 0;
    const at1000 = steps.find((s) => s.rate === 1000)!;
    const metrics = {
      postback_max_rps: maxRps,
      postback_p99_ms: round(at1000.p99_ms),
      postback_p50_ms: round(at1000.p50_ms),
      postback_step_seconds: seconds,
      postback_stored_vs_201: `${storedConversions}/${created}`,
    };
    const failures: string[] = [];
    if (storedConversions !== created) failures.push(`postback: ${created} answered 201 but ${storedConversions} conversions are stored`);
    const table = [
      `postbacks (POST /v1/conversions, fixed rate, open loop; latency from the scheduled send; after a warm-up of ${WARM_UP.rate}/s for ${WARM_UP.seconds} s)`,
      'rate/s   p50 ms   p99 ms   max ms   201/sent      sent again',
      ...steps.map((s) => `${String(s.rate).padEnd(8)} ${String(round(s.p50_ms)).padEnd(8)} ${String(round(s.p99_ms)).padEnd(8)} ${String(round(s.max_ms)).padEnd(8)} ${`${s.created}/${s.sent}`.padEnd(13)} ${s.retried}`),
      `postback_max_rps ${maxRps} (goal ≥ ${MAX_RPS_GOAL}, p99 ≤ ${P99_GOAL_AT_MAX_MS} ms for ${seconds} s); postback_p99_ms at 1000/s ${round(at1000.p99_ms)} (goal ≤ ${P99_GOAL_AT_1000_MS}); stored ${storedConversions} of ${created} answered 201`,
    ].join('\n');
    return {
      metrics,
      targets: { postback_max_rps: maxRps >= MAX_RPS_GOAL, postback_p99_ms: at1000.p99_ms <= P99_GOAL_AT_1000_MS },
      table,
      failures,
    };
  } finally {
    await server?.stop();
    for (const f of readdirSync(dataDir)) if (f.startsWith(dbName)) rmSync(join(dataDir, f), { force: true });
  }
}
