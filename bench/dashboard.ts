// Dashboard part (issue 5): every dashboard page on the demo data should answer its first byte in
// ≤ 50 ms (median of 15 requests after 3 warm-ups) and transfer ≤ 100 KB with gzip.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'node:http';
import { ROOT, type Server, log, median, round, startServer, waitReady } from './lib.js';
import type { PartResult } from './part.js';

const WARMUP = 3;
const RUNS = 15;
const TTFB_MS = 50;
const PAGE_KB = 100;

interface Row { key: string; path: string; ttfb: number; gzipKb: number; rawKb: number }

export async function dashboardPart(): Promise<PartResult> {
  const dataDir = join(ROOT, 'bench/.data');
  mkdirSync(dataDir, { recursive: true });
  const dbName = `dash-${Date.now()}.db`;
  const env = { DATABASE_URL: `file:bench/.data/${dbName}`, AFFLUX_SECRET: randomBytes(32).toString('hex') };
  let server: Server | undefined;
  try {
    log('seeding the demo');
    const seed = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'demo'], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });
    const out = `${seed.stdout}\n${seed.stderr}`;
    if (seed.status !== 0) throw new Error(`demo seed failed (${seed.status}):\n${out.slice(-2000)}`);
    const vendorKey = /vendor admin key[^:]*:\s*(\S+)/.exec(out)?.[1];
    const programId = /^program (\S+)/m.exec(out)?.[1];
    const partnerKey = /^partner .*key: (afx_pk_\S+)/m.exec(out)?.[1];
    if (!vendorKey || !programId || !partnerKey) throw new Error(`could not parse the demo output:\n${out.slice(-2000)}`);

    server = await startServer('dashboard server', 'src/server.ts', env);
    await waitReady(server, '/healthz', 200, 90_000);
    const base = server.base;
    const app = await signIn(base, 'app', vendorKey);
    const portal = await signIn(base, 'portal', partnerKey);
    const p = `/app/p/${programId}`;
    const partnersHtml = await (await fetch(base + `${p}/partners`, { headers: { cookie: app } })).text();
    const partnerId = new RegExp(`${p}/partners/([A-Za-z0-9_-]+)"`).exec(partnersHtml)?.[1];
    if (!partnerId) throw new Error('no partner link on the partners page');

    const pages: [string, string, string][] = [
      ['overview', p, app], ['partners', `${p}/partners`, app], ['partner_detail', `${p}/partners/${partnerId}`, app],
      ['links', `${p}/links`, app], ['commissions', `${p}/commissions`, app], ['conversions', `${p}/conversions`, app],
      ['payouts', `${p}/payouts`, app], ['settings', `${p}/settings`, app], ['portal_home', '/portal', portal],
      // the pages a manager runs a program from (issue 10 onwards)
      ['rules', `${p}/rules`, app], ['tiers', `${p}/tiers`, app], ['keys', `${p}/keys`, app], ['audit', `${p}/audit`, app],
      ['journey', `${p}/journey`, app], ['applications', `${p}/applications`, app], ['agreement', `${p}/agreement`, app],
      ['deals', `${p}/deals`, app], ['leads', `${p}/leads`, app], ['webhooks', `${p}/webhooks`, app], ['integrations', `${p}/integrations`, app],
      ['outbox', `${p}/outbox`, app], ['portal_earnings', '/portal/earnings', portal], ['portal_deals', '/portal/deals', portal],
      ['portal_leads', '/portal/leads', portal],
    ];
    const rows: Row[] = [];
    for (const [key, path, cookie] of pages) {
      const url = base + path;
      for (let i = 0; i < WARMUP; i++) await get(url, cookie, true);
      const times: number[] = [];
      let gz = 0;
      for (let i = 0; i < RUNS; i++) {
        const r = await get(url, cookie, true);
        times.push(r.ttfb);
        gz = r.bytes;
      }
      const raw = (await get(url, cookie, false)).bytes;
      rows.push({ key, path, ttfb: round(median(times), 1), gzipKb: round(gz / 1024, 1), rawKb: round(raw / 1024, 1) });
      log(`${key}: ttfb ${median(times).toFixed(1)} ms, ${(gz / 1024).toFixed(1)} KB gzip, ${(raw / 1024).toFixed(1)} KB raw`);
    }
    return result(rows);
  } finally {
    await server?.stop();
    for (const f of readdirSync(dataDir)) if (f.startsWith(dbName)) rmSync(join(dataDir, f), { force: true });
  }
}

/** Signs in through the real form: GET the page for its CSRF token, POST the key, keep the cookie. */
async function signIn(base: string, area: 'app' | 'portal', key: string): Promise<string> {
  const html = await (await fetch(`${base}/${area}/login`)).text();
  const csrf = /name="_csrf"\s+value="([^"]+)"/.exec(html)?.[1] ?? /value="([^"]+)"\s+name="_csrf"/.exec(html)?.[1];
  if (!csrf) throw new Error(`no CSRF token on /${area}/login`);
  const res = await fetch(`${base}/${area}/login`, {
    method: 'POST', redirect: 'manual',
    headers: { origin: base, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, key }).toString(),
  });
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  if (res.status !== 303 || !cookie) throw new Error(`/${area}/login answered ${res.status} without a session cookie`);
  return cookie;
}

/** One GET over plain node:http: time to the first body byte, and bytes on the wire (body, as sent). */
function get(url: string, cookie: string, gzip: boolean): Promise<{ ttfb: number; bytes: number }> {
  return new Promise((res, rej) => {
    const t0 = process.hrtime.bigint();
    let ttfb = -1;
    const req = request(url, { headers: { cookie, 'accept-encoding': gzip ? 'gzip' : 'identity' }, agent: false }, (r) => {
      if (r.statusCode !== 200) { r.resume(); rej(new Error(`GET ${url} answered ${r.statusCode}`)); return; }
      let bytes = 0;
      r.on('data', (b: Buffer) => {
        if (ttfb < 0) ttfb = Number(process.hrtime.bigint() - t0) / 1e6;
        bytes += b.length;
      });
      r.on('end', () => res({ ttfb, bytes }));
      r.on('error', rej);
    });
    req.on('error', rej);
    req.end();
  });
}

function result(rows: Row[]): PartResult {
  const maxTtfb = Math.max(...rows.map((r) => r.ttfb));
  const maxKb = Math.max(...rows.map((r) => r.gzipKb));
  const metrics: Record<string, unknown> = { dashboard_max_ttfb_ms: maxTtfb, dashboard_max_page_kb: maxKb };
  for (const r of rows) {
    metrics[`dashboard_${r.key}_ttfb_ms`] = r.ttfb;
    metrics[`dashboard_${r.key}_kb`] = r.gzipKb;
    metrics[`dashboard_${r.key}_raw_kb`] = r.rawKb;
  }
  const targets = { dashboard_max_ttfb_ms: maxTtfb <= TTFB_MS, dashboard_max_page_kb: maxKb <= PAGE_KB };
  const failures = rows.flatMap((r) => [
    ...(r.ttfb > TTFB_MS ? [`dashboard: ${r.key} first byte ${r.ttfb} ms > ${TTFB_MS} ms`] : []),
    ...(r.gzipKb > PAGE_KB ? [`dashboard: ${r.key} ${r.gzipKb} KB > ${PAGE_KB} KB`] : []),
  ]);
  const head = ['page', 'path', 'ttfb ms (median)', 'gzip KB', 'raw KB'];
  const body = rows.map((r) => [r.key, r.path, String(r.ttfb), String(r.gzipKb), String(r.rawKb)]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(w[i]!)).join('  ');
  const table = [`dashboard pages on the demo data (targets: ttfb ≤ ${TTFB_MS} ms, ≤ ${PAGE_KB} KB gzip)`, line(head), ...body.map(line)].join('\n');
  return { metrics, targets, table, failures };
}
