// Redirect part: real server vs the bare Hono baseline, plus how long stored clicks lag behind.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type LinkFixture, setupLink, storedClicks } from './api.js';
import { ROOT, type Server, cpuMs, log, median, round, sleep, startServer, waitReady } from './lib.js';
import { type LoadEnd, type LoadResult, benchSeconds, runLoad } from './load.js';
import type { PartResult } from './part.js';

const ROUNDS = 3;
const WARMUP_S = 2;
const DRAIN_TIMEOUT_MS = 120_000;

interface Round { bare: LoadResult; real: LoadResult; drainMs: number | null; sustained: number; bareCpuUs: number | null; realCpuUs: number | null }

export async function redirectPart(): Promise<PartResult> {
  const script = process.env.BENCH_SERVER ?? 'src/server.ts'; // override only to test the harness
  if (!existsSync(resolve(ROOT, script))) {
    throw new Error(`${script} does not exist yet, so there is no real server to measure`);
  }
  const dataDir = join(ROOT, 'bench/.data');
  mkdirSync(dataDir, { recursive: true });
  const dbName = `redirect-${Date.now()}.db`;
  const adminKey = `afx_admin_${randomBytes(24).toString('base64url')}`;
  const servers: Server[] = [];
  try {
    const real = await startServer('real server', script, {
      DATABASE_URL: `file:bench/.data/${dbName}`,
      AFFLUX_ADMIN_KEY: adminKey,
      AFFLUX_SECRET: randomBytes(32).toString('hex'),
    });
    servers.push(real);
    await waitReady(real, '/healthz', 200, 90_000);
    const fx = await setupLink(real.base, adminKey);
    log(`link ${fx.linkId} slug ${fx.slug}`);
    const head = await fetch(`${real.base}/${fx.slug}`, { method: 'HEAD', redirect: 'manual' });
    if (head.status !== 302) throw new Error(`HEAD /${fx.slug} on the real server answered ${head.status}, not 302`);
    const bare = await startServer('bare server', 'bench/bare-server.ts', {});
    servers.push(bare);
    await waitReady(bare, `/${fx.slug}`, 302);
    return await measure(real, bare, fx);
  } finally {
    for (const s of servers.reverse()) await s.stop();
    for (const f of readdirSync(dataDir)) if (f.startsWith(dbName)) rmSync(join(dataDir, f), { force: true });
  }
}

async function measure(real: Server, bare: Server, fx: LinkFixture): Promise<PartResult> {
  const realUrl = `${real.base}/${fx.slug}`;
  const bareUrl = `${bare.base}/${fx.slug}`;
  let expected = 0; // cumulative 302s answered by the real server
  let stored = 0;

  /** Load the real server, then wait until the stored clicks catch up with the 302s answered. */
  async function loadAndDrain(seconds: number): Promise<{ load: LoadResult; drainMs: number | null }> {
    let end: LoadEnd | undefined;
    const loadP = runLoad(realUrl, { seconds, onEnded: (e) => void (end = e) });
    while (!end) await Promise.race([loadP, sleep(20)]);
    expected += end.answered;
    const deadline = end.endedAt + DRAIN_TIMEOUT_MS;
    let drainMs: number | null = null;
    for (;;) {
      if (real.proc.exitCode !== null || real.proc.signalCode !== null) {
        throw new Error(`real server exited during the drain. Last output:\n${real.tail()}`);
      }
      try {
        stored = await storedClicks(real.base, fx.vendorKey, fx.linkId);
      } catch (e) {
        log(`poll failed: ${(e as Error).message}`);
      }
      const now = Date.now();
      if (stored >= expected) {
        drainMs = Math.max(0, now - end.endedAt);
        if (stored > expected) log(`warning: ${stored} clicks stored but only ${expected} redirects answered`);
        break;
      }
      if (now > deadline) break;
      await sleep(50);
    }
    return { load: await loadP, drainMs };
  }

  const failures: string[] = [];
  const drainFailure = (): string =>
    `redirect: clicks stored (${stored}) never reached redirects answered (${expected}) within ${DRAIN_TIMEOUT_MS / 1000} s`;
  log(`warm-up: ${WARMUP_S} s bare, ${WARMUP_S} s real`);
  await runLoad(bareUrl, { seconds: WARMUP_S });
  const warm = await loadAndDrain(WARMUP_S);
  if (warm.drainMs === null) failures.push(drainFailure());

  const seconds = benchSeconds();
  const rounds: Round[] = [];
  for (let i = 1; i <= ROUNDS && failures.length === 0; i++) {
    log(`round ${i}/${ROUNDS}: bare ${seconds} s`);
    const bareCpu0 = cpuMs(bare.proc.pid);
    const b = await runLoad(bareUrl, { seconds });
    const bareCpuUs = perRequestUs(bareCpu0, cpuMs(bare.proc.pid), b.answered);
    log(`round ${i}/${ROUNDS}: real ${seconds} s`);
    const realCpu0 = cpuMs(real.proc.pid);
    const { load: r, drainMs } = await loadAndDrain(seconds);
    // includes storing the clicks: the drain is part of the cost of a redirect
    const realCpuUs = perRequestUs(realCpu0, cpuMs(real.proc.pid), r.answered);
    const sustained = drainMs === null ? 0 : r.answered / (r.seconds + drainMs / 1000) / b.rps;
    rounds.push({ bare: b, real: r, drainMs, sustained, bareCpuUs, realCpuUs });
    log(`round ${i}: bare ${b.rps.toFixed(0)} rps, real ${r.rps.toFixed(0)} rps, drain ${drainMs ?? 'TIMEOUT'} ms`);
    if (r.errors || r.non3xx) log(`round ${i}: real server had ${r.errors} errors, ${r.non3xx} non-3xx`);
    if (drainMs === null) failures.push(drainFailure());
  }
  try {
    stored = await storedClicks(real.base, fx.vendorKey, fx.linkId);
  } catch (e) {
    failures.push(`redirect: final click count failed: ${(e as Error).message}`);
  }

  const med = (f: (r: Round) => number | null): number | null => {
    const xs = rounds.map(f).filter((x): x is number => x !== null);
    return xs.length ? median(xs) : null;
  };
  const r2 = (x: number | null, d = 2): number | null => (x === null ? null : round(x, d));
  const ratio = med((r) => r.real.rps / r.bare.rps);
  const sustained = rounds.every((r) => r.drainMs !== null) ? med((r) => r.sustained) : null;
  const p99 = med((r) => r.real.p99_ms);
  const metrics = {
    redirect_rps: r2(med((r) => r.real.rps), 1),
    bare_rps: r2(med((r) => r.bare.rps), 1),
    redirect_ratio: r2(ratio, 3),
    sustained_ratio: r2(sustained, 3),
    drain_ms: med((r) => r.drainMs),
    redirect_p50_ms: med((r) => r.real.p50_ms),
    redirect_p99_ms: p99,
    redirects_answered: expected, // every 302 of the real server, warm-up included
    clicks_stored: stored,
    redirect_errors: rounds.reduce((n, r) => n + r.real.errors + r.real.non3xx, 0),
    bare_cpu_us_per_redirect: r2(med((r) => r.bareCpuUs), 1),
    redirect_cpu_us_per_redirect: r2(med((r) => r.realCpuUs), 1),
    cpu_ratio: r2(med((r) => (r.bareCpuUs && r.realCpuUs ? r.bareCpuUs / r.realCpuUs : null)), 3),
  };
  const targets = {
    redirect_ratio: ratio !== null && ratio >= 0.75,
    sustained_ratio: sustained !== null && sustained >= 0.65,
    redirect_p99_ms: p99 !== null && p99 <= 10,
  };
  return { metrics, targets, table: table(rounds), failures };
}

function table(rounds: Round[]): string {
  const head = ['round', 'bare rps', 'real rps', 'ratio', 'p50 ms', 'p99 ms', 'drain ms', 'sustained', 'bare cpu µs', 'real cpu µs'];
  const rows = rounds.map((r, i) => [
    String(i + 1), r.bare.rps.toFixed(0), r.real.rps.toFixed(0), (r.real.rps / r.bare.rps).toFixed(3),
    String(r.real.p50_ms), String(r.real.p99_ms), r.drainMs === null ? 'TIMEOUT' : String(r.drainMs),
    r.sustained.toFixed(3), r.bareCpuUs?.toFixed(1) ?? '-', r.realCpuUs?.toFixed(1) ?? '-',
  ]);
  const w = head.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c]!.length)));
  const fmt = (row: string[]): string => row.map((x, c) => x.padStart(w[c]!)).join('  ');
  return ['redirect (real vs bare, 50 connections)', fmt(head), ...(rows.length ? rows.map(fmt) : ['(no round completed)'])].join('\n');
}

function perRequestUs(before: number | null, after: number | null, requests: number): number | null {
  return before === null || after === null || requests === 0 ? null : ((after - before) * 1000) / requests;
}
