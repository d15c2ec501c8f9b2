// Edge part: the tracking Worker bundle (exactly what `wrangler deploy` uploads) under raw
// `workerd serve` vs a bare Hono 302 Worker in the same workerd process, same run.
// Metrics: edge_ratio (redirects/s, real ÷ bare), edge_cpu_ms_per_redirect (workerd CPU per
// redirect of the real Worker, clicks enqueued included), edge_bundle_gzip_kib.
// Not `wrangler dev`: its logging and proxy would dominate. The Queue producer is a workerd
// `queue` binding answered by a stub Worker in the same process (it counts the sends); the link
// lookups go to our Hrana endpoint, in this process, once per slug per cache TTL.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { drizzle } from 'drizzle-orm/libsql';
import { migrate } from 'drizzle-orm/libsql/migrator';
import { MIGRATIONS_DIR } from '../src/db/migrate.js';
import * as schema from '../src/db/schema/index.js';
import { startHranaServer } from '../src/hrana/server.js';
import { buildWorker, kib } from '../test/workers/bundle.js';
import { setupLink } from './api.js';
import { CPU, ROOT, cpuMs, freePort, log, median, pinned, round, sleep } from './lib.js';
import { type LoadResult, benchSeconds, runLoad } from './load.js';
import type { PartResult } from './part.js';

const ROUNDS = 3;
const WARMUP_S = 2;
const COMPAT_DATE = '2026-04-20';
const BUNDLE_BUDGET_KIB = 100;

const QUEUE_STUB = `let sent = 0;
export default { async fetch(req) { if (req.method === 'GET') return new Response(String(sent)); await req.arrayBuffer(); sent++;
  return Response.json({ metadata: { metrics: { backlogCount: 0, backlogBytes: 0, oldestMessageTimestamp: 0 } } }); } };`;

async function bundleBare(outDir: string): Promise<void> {
  // wrangler's own esbuild, with the Workers conditions wrangler uses
  const esbuild = createRequire(join(ROOT, 'node_modules/wrangler/package.json'))('esbuild') as typeof import('esbuild');
  await esbuild.build({
    entryPoints: [join(ROOT, 'bench/edge-bare-worker.ts')], outfile: join(outDir, 'bare.js'), bundle: true, minify: true,
    format: 'esm', platform: 'neutral', conditions: ['workerd', 'worker', 'browser'], mainFields: ['module', 'main'], logLevel: 'error',
  });
}

function capnp(p: { tracking: number; bare: number; queue: number; dbUrl: string; adminKey: string; secret: string }): string {
  const vars = [
    ['DATABASE_URL', p.dbUrl], ['DATABASE_AUTH_TOKEN', ''], ['AFFLUX_SECRET', p.secret], ['AFFLUX_ADMIN_KEY', p.adminKey],
    ['AFFLUX_PUBLIC_URL', `http://127.0.0.1:${p.tracking}`],
  ].map(([k, v]) => `(name = "${k}", text = "${v}")`).join(', ');
  const worker = (file: string, bindings: string) =>
    `(modules = [(name = "${file}", esModule = embed "${file}")], compatibilityDate = "${COMPAT_DATE}", ` +
    `compatibilityFlags = ["nodejs_compat"], bindings = [${bindings}], globalOutbound = "loopback")`;
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "tracking", worker = ${worker('tracking.js', `${vars}, (name = "CLICKS", queue = "queue"), (name = "API", service = "api")`)}),
    (name = "api", worker = ${worker('api.js', `${vars}, (name = "CLICKS", queue = "queue")`)}),
    (name = "bare", worker = ${worker('bare.js', '')}),
    (name = "queue", worker = ${worker('queue.js', '')}),
    (name = "loopback", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [
    (name = "tracking", address = "127.0.0.1:${p.tracking}", http = (), service = "tracking"),
    (name = "bare", address = "127.0.0.1:${p.bare}", http = (), service = "bare"),
    (name = "queue", address = "127.0.0.1:${p.queue}", http = (), service = "queue"),
  ],
);
`;
}

async function waitFor(url: string, status: number, timeoutMs = 30_000, method = 'GET'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { method, redirect: 'manual' });
      await res.arrayBuffer();
      if (res.status === status) return;
      last = `status ${res.status}`;
    } catch (e) {
      last = (e as Error).message;
    }
    await sleep(100);
  }
  throw new Error(`${method} ${url} did not answer ${status} within ${timeoutMs} ms (last: ${last})`);
}

export async function edgePart(): Promise<PartResult> {
  const dir = mkdtempSync(join(tmpdir(), 'afflux-edge-bench-'));
  const hrana = await startHranaServer({ db: `file:${join(dir, 'edge.db')}` });
  let workerd: ReturnType<typeof spawn> | null = null;
  try {
    log('edge: building the Workers (wrangler deploy --dry-run) and the bare Worker');
    const [tracking] = await Promise.all([buildWorker('wrangler.toml', dir), buildWorker('wrangler.api.toml', dir), bundleBare(dir)]);
    writeFileSync(join(dir, 'queue.js'), QUEUE_STUB);
    const client = createClient({ url: hrana.url });
    await migrate(drizzle(client, { schema }), { migrationsFolder: MIGRATIONS_DIR });
    client.close();

    const ports = { tracking: await freePort(), bare: await freePort(), queue: await freePort() };
    const adminKey = `afx_admin_${randomBytes(24).toString('base64url')}`;
    writeFileSync(join(dir, 'config.capnp'), capnp({ ...ports, dbUrl: hrana.url, adminKey, secret: randomBytes(32).toString('hex') }));
    const bin = (createRequire(import.meta.url)('workerd') as { default: string }).default;
    const [cmd, args] = pinned(CPU.server, [bin, 'serve', join(dir, 'config.capnp'), '--experimental']);
    const proc = spawn(cmd, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    workerd = proc;
    let stderr = '';
    proc.stderr?.on('data', (c: Buffer) => void (stderr = (stderr + c.toString()).slice(-4000)));
    log(`started workerd (pid ${proc.pid}): tracking :${ports.tracking}, bare :${ports.bare}`);
    const base = `http://127.0.0.1:${ports.tracking}`;
    try {
      await waitFor(`${base}/robots.txt`, 200);
    } catch (e) {
      throw new Error(`${(e as Error).message}\nworkerd said:\n${stderr}`);
    }
    const fx = await setupLink(base, adminKey); // through the tracking Worker's API service binding
    await waitFor(`${base}/${fx.slug}`, 302, 10_000, 'HEAD');
    await waitFor(`http://127.0.0.1:${ports.bare}/${fx.slug}`, 302);
    const sent = async () => Number(await (await fetch(`http://127.0.0.1:${ports.queue}/`)).text());

    log(`edge warm-up: ${WARMUP_S} s bare, ${WARMUP_S} s real`);
    await runLoad(`http://127.0.0.1:${ports.bare}/${fx.slug}`, { seconds: WARMUP_S });
    await runLoad(`${base}/${fx.slug}`, { seconds: WARMUP_S });
    const seconds = benchSeconds();
    const rounds: { bare: LoadResult; real: LoadResult; bareCpu: number; realCpu: number }[] = [];
    const sentBefore = await sent();
    let answered = 0;
    for (let i = 1; i <= ROUNDS; i++) {
      const c0 = cpuMs(proc.pid)!;
      const bare = await runLoad(`http://127.0.0.1:${ports.bare}/${fx.slug}`, { seconds });
      const c1 = cpuMs(proc.pid)!;
      const real = await runLoad(`${base}/${fx.slug}`, { seconds });
      await sleep(200); // waitUntil sends finish after the responses
      const c2 = cpuMs(proc.pid)!;
      answered += real.answered;
      rounds.push({ bare, real, bareCpu: (c1 - c0) / bare.answered, realCpu: (c2 - c1) / real.answered });
      log(`edge round ${i}: bare ${bare.rps.toFixed(0)} rps, real ${real.rps.toFixed(0)} rps, cpu ${(rounds.at(-1)!.realCpu * 1000).toFixed(0)} µs/redirect`);
    }
    const enqueued = (await sent()) - sentBefore;
    const failures: string[] = [];
    if (enqueued < answered) failures.push(`edge: ${answered} redirects but only ${enqueued} queue sends`);
    if (rounds.some((r) => r.real.errors || r.real.non3xx)) failures.push(`edge: the tracking Worker answered errors or non-3xx; workerd said:\n${stderr.slice(-1500)}`);

    const ratio = median(rounds.map((r) => r.real.rps / r.bare.rps));
    const gzipKib = kib(tracking.gzipBytes);
    const metrics = {
      edge_ratio: round(ratio, 3),
      edge_cpu_ms_per_redirect: round(median(rounds.map((r) => r.realCpu)), 4),
      edge_bare_cpu_ms_per_redirect: round(median(rounds.map((r) => r.bareCpu)), 4),
      edge_rps: round(median(rounds.map((r) => r.real.rps)), 1),
      edge_bare_rps: round(median(rounds.map((r) => r.bare.rps)), 1),
      edge_p99_ms: median(rounds.map((r) => r.real.p99_ms)),
      edge_bundle_gzip_kib: gzipKib,
      edge_queue_sends: enqueued,
    };
    const head = ['round', 'bare rps', 'real rps', 'ratio', 'real p99 ms', 'bare cpu ms', 'real cpu ms'];
    const rows = rounds.map((r, i) => [String(i + 1), r.bare.rps.toFixed(0), r.real.rps.toFixed(0), (r.real.rps / r.bare.rps).toFixed(3),
      String(r.real.p99_ms), r.bareCpu.toFixed(4), r.realCpu.toFixed(4)]);
    const w = head.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c]!.length)));
    const fmt = (row: string[]): string => row.map((x, c) => x.padStart(w[c]!)).join('  ');
    const table = [`edge (tracking Worker vs bare Hono Worker under workerd serve, 50 connections; bundle ${gzipKib} KiB gzip)`, fmt(head), ...rows.map(fmt)].join('\n');
    return { metrics, targets: { edge_bundle_gzip_kib: gzipKib <= BUNDLE_BUDGET_KIB }, table, failures };
  } finally {
    if (workerd && workerd.exitCode === null) {
      const exited = new Promise((r) => workerd!.once('exit', r));
      workerd.kill('SIGTERM');
      await Promise.race([exited, sleep(5_000)]);
      if (workerd.exitCode === null && workerd.signalCode === null) workerd.kill('SIGKILL');
    }
    await hrana.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
