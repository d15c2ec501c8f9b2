// Webhooks part: a real server under 200 postbacks/s (each makes conversion.created and
// commission.created) delivering every event to ENDPOINTS local endpoints of a receiver in this
// process. webhook_events_per_s: deliveries received per second; webhook_lag_p99_ms: event
// written (the body's timestamp) → received.
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { api, setupLink } from './api.js';
import { CPU, ROOT, log, pinned, round, sleep, startServer, waitReady, type Server } from './lib.js';
import type { PartResult } from './part.js';
import type { RateConfig, RateResult } from './rate-worker.js';

const EVENTS_PER_S_GOAL = 500;
const LAG_P99_GOAL_MS = 1000;
const POSTBACKS_PER_S = 200;
const ENDPOINTS = Number(process.env.BENCH_WEBHOOK_ENDPOINTS ?? 2) || 2;
const seconds = (): number => Number(process.env.BENCH_WEBHOOK_SECONDS ?? 15) || 15;

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

const quantile = (xs: number[], q: number): number => {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

export async function webhooksPart(): Promise<PartResult> {
  const lags: number[] = [];
  const ids = new Set<string>();
  let first = 0;
  let last = 0;
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = Date.now();
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { timestamp: string };
        lags.push(at - Date.parse(body.timestamp));
        ids.add(`${req.url} ${String(req.headers['webhook-id'])}`);
      } catch { /* counted as received anyway */ }
      first ||= at;
      last = at;
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

  const dataDir = join(ROOT, 'bench/.data');
  mkdirSync(dataDir, { recursive: true });
  const dbName = `webhooks-${Date.now()}.db`;
  const adminKey = `afx_admin_${randomBytes(24).toString('base64url')}`;
  let server: Server | undefined;
  try {
    server = await startServer('real server', 'src/server.ts', {
      DATABASE_URL: `file:bench/.data/${dbName}`, AFFLUX_ADMIN_KEY: adminKey, AFFLUX_SECRET: randomBytes(32).toString('hex'),
      AFFLUX_SETTLE_INTERVAL_MINUTES: '0', AFFLUX_WEBHOOK_ALLOW_PRIVATE: '1',
    });
    await waitReady(server, '/healthz', 200, 90_000);
    const fx = await setupLink(server.base, adminKey);
    await api(server.base, fx.vendorKey, 'POST', `/api/v1/programs/${fx.programId}/rules`, { event: 'sale', type: 'percent', value: '20' });
    for (let i = 0; i < ENDPOINTS; i++) await api(server.base, fx.vendorKey, 'POST', '/api/v1/webhooks', { url: `${hook}/e${i}`, events: ['*'] });
    const redirect = await fetch(`${server.base}/${fx.slug}`, { redirect: 'manual', headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0 Safari/537.36' } });
    const clickId = new URL(redirect.headers.get('location')!).searchParams.get('afx_click')!;
    const s = seconds();
    log(`postbacks at ${POSTBACKS_PER_S}/s for ${s} s, every event to ${ENDPOINTS} endpoints`);
    const r = await runRate({ url: `${server.base}/v1/conversions`, key: fx.postbackKey, clickId, rate: POSTBACKS_PER_S, seconds: s, prefix: 'wh' });
    const expected = r.created * 2 * ENDPOINTS;
    for (let waited = 0; ids.size < expected && waited < 30_000; waited += 100) await sleep(100);
    const span = Math.max(1, last - first) / 1000;
    const perS = round(lags.length / span, 0);
    const p99 = round(quantile(lags, 0.99), 0);
    const metrics = {
      webhook_events_per_s: perS, webhook_lag_p99_ms: p99, webhook_lag_p50_ms: round(quantile(lags, 0.5), 0),
      webhook_delivered_vs_expected: `${ids.size}/${expected}`,
    };
    const failures: string[] = [];
    if (ids.size < expected) failures.push(`webhooks: ${ids.size} of ${expected} deliveries arrived within 30 s after the load`);
    const table = [
      `webhooks (${POSTBACKS_PER_S} postbacks/s for ${s} s → conversion.created + commission.created, each to ${ENDPOINTS} endpoints of a local receiver)`,
      `webhook_events_per_s ${perS} (goal ≥ ${EVENTS_PER_S_GOAL}); webhook_lag_p99_ms ${p99} (goal ≤ ${LAG_P99_GOAL_MS}), p50 ${metrics.webhook_lag_p50_ms}; delivered ${ids.size}/${expected}; postbacks 201 ${r.created}/${r.sent}`,
    ].join('\n');
    return { metrics, targets: { webhook_events_per_s: perS >= EVENTS_PER_S_GOAL, webhook_lag_p99_ms: p99 <= LAG_P99_GOAL_MS }, table, failures };
  } finally {
    await server?.stop();
    receiver.closeAllConnections();
    await new Promise<void>((res) => receiver.close(() => res()));
    for (const f of readdirSync(dataDir)) if (f.startsWith(dbName)) rmSync(join(dataDir, f), { force: true });
  }
}
