// Co-selling part: `lead_route_ms` (routing one new lead in a program with 10,000 partners and
// 100,000 open leads, median of the runs; goal ≤ 20 ms) and `deal_register_p99_ms` (registering a
// deal with 1,000,000 deals stored; goal ≤ 20 ms), through the services on the app's connection.
// BENCH_COSELLING_SCALE (default 1) shrinks both data sets for a quick check.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openAndMigrate } from '../src/bootstrap';
import { CheckpointWorker } from '../src/db/checkpoints';
import { getPartner } from '../src/db/queries/partners';
import { getProgram } from '../src/db/queries/programs';
import { registerDeal } from '../src/services/deals/register';
import { createLead } from '../src/services/leads/actions';
import { log, round } from './lib.js';
import type { PartResult } from './part.js';

const SCALE = Number(process.env.BENCH_COSELLING_SCALE ?? '1');
const PARTNERS = Math.round(10_000 * SCALE);
const OPEN_LEADS = Math.round(100_000 * SCALE);
const DEALS = Math.round(1_000_000 * SCALE);
const ROUTE_RUNS = 50;
const REGISTER_RUNS = 300;
const NOW = Date.UTC(2026, 5, 1);

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;

export async function cosellingPart(): Promise<PartResult> {
  const dir = mkdtempSync(join(tmpdir(), 'afflux-bench-coselling-'));
  try {
    const { database } = await openAndMigrate(`file:${join(dir, 'db.sqlite')}`, undefined, 'bench-coselling-secret-0123456789abcdef');
    try {
      const { client, db } = database;
      const t0 = Date.now();
      const range = (n: number) => `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${n - 1})`;
      await client.batch([
        `INSERT INTO vendors (id, name, created_at) VALUES ('ven_b', 'Bench', ${NOW})`,
        `INSERT INTO programs (id, num, vendor_id, name, currency, cookie_days, attribution, hold_days, allowed_domains, click_param, min_payout, created_at)
           VALUES ('prg_b', 1, 'ven_b', 'Bench', 'USD', 30, 'last_click', 0, '["shop.example.com"]', 'afx_click', 5000, ${NOW})`,
        `INSERT INTO tiers (id, program_id, name, rank, metric, threshold, window_days, created_at) VALUES ('tier_b', 'prg_b', 'Entry', 0, 'revenue', 0, 90, ${NOW})`,
        // capacity 12 and 10 open leads each: every partner has room, so routing weighs them all
        `${range(PARTNERS)} INSERT INTO partners (id, num, program_id, name, email, status, tier_id, email_key, lead_countries, lead_verticals, lead_capacity, last_lead_offer_at, created_at)
           SELECT 'ptn_' || i, i + 1, 'prg_b', 'P' || i, 'p' || i || '@example.com', 'approved', 'tier_b', 'p' || i || '@example.com',
             CASE i % 3 WHEN 0 THEN '[]' WHEN 1 THEN '["DE"]' ELSE '["DE","FR"]' END, '[]', 12, ${NOW} - i, ${NOW} FROM n`,
        `${range(OPEN_LEADS)} INSERT INTO leads (id, program_id, company, contact_email, status, partner_id, respond_by, change_token, created_at, updated_at)
           SELECT 'lead_' || i, 'prg_b', 'C' || i, 'c' || i || '@x.com', CASE i % 2 WHEN 0 THEN 'offered' ELSE 'accepted' END, 'ptn_' || (i % ${PARTNERS}), ${NOW} + 86400000, 't' || i, ${NOW} - i, ${NOW} FROM n`,
        `${range(DEALS)} INSERT INTO deals (id, program_id, partner_id, company, account, contact_name, contact_email, status, protected_until, created_at, updated_at)
           SELECT 'deal_' || i, 'prg_b', 'ptn_' || (i % ${PARTNERS}), 'Co ' || i, 'acct' || i || '.example', 'N', 'n@acct' || i || '.example',
             CASE i % 5 WHEN 0 THEN 'submitted' WHEN 1 THEN 'approved' WHEN 2 THEN 'won' WHEN 3 THEN 'lost' ELSE 'rejected' END, ${NOW} + 86400000 * 30, ${NOW} - i * 1000, ${NOW} FROM n`,
        // an agreement every partner but one in ten accepted: routing checks the current version for each candidate
        `INSERT INTO agreements (id, program_id, version, title, body, published_at) VALUES ('agr_b', 'prg_b', 1, 'Terms', 'Terms.', ${NOW})`,
        `${range(PARTNERS)} INSERT INTO agreement_acceptances (agreement_id, partner_id, program_id, version, accepted_at, client_hash)
           SELECT 'agr_b', 'ptn_' || i, 'prg_b', 1, ${NOW}, 'h' FROM n WHERE i % 10 != 3`,
        `UPDATE partners SET open_leads = (SELECT count(*) FROM leads l WHERE l.partner_id = partners.id AND l.status IN ('offered', 'accepted'))`,
        'ANALYZE',
      ], 'write');
      await client.execute('PRAGMA wal_checkpoint(TRUNCATE)');
      log(`coselling: seeded ${PARTNERS} partners, ${OPEN_LEADS} open leads, ${DEALS} deals in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      const program = (await getProgram(db, 'prg_b'))!;

      const route: number[] = [];
      for (let i = 0; i < ROUTE_RUNS + 3; i++) {
        const s = performance.now();
        const r = await createLead(db, program, { company: `New ${i}`, contactEmail: `n${i}@new.com`, country: 'DE' }, NOW + i);
        const ms = performance.now() - s;
        if (r.kind !== 'ok' || r.value.status !== 'offered') throw new Error(`lead ${i} not routed`);
        if (i >= 3) route.push(ms);
      }
      // As in the server, WAL checkpoints run on the checkpoint worker's own connection (the click
      // store's, every 500 ms while anything writes), not inside whichever COMMIT crosses 1000 pages.
      // (no writer connection of its own: a few thousand rows never make the WAL long enough to need one)
      const checkpoints = new CheckpointWorker(join(dir, 'db.sqlite'), null);
      const register: number[] = [];
      for (let i = 0; i < REGISTER_RUNS + 5; i++) {
        const partner = (await getPartner(db, `ptn_${i % PARTNERS}`))!;
        // half new accounts, half accounts held by someone (conflicts): both paths count
        const domain = i % 2 ? `fresh${i}.example` : `acct${(i * 7919) % DEALS}.example`;
        const s = performance.now();
        const r = await registerDeal(db, program, partner, { company: 'X', domain, contactName: 'N', contactEmail: `n@${domain}` }, NOW + i);
        const ms = performance.now() - s;
        if (r.kind !== 'ok' && r.kind !== 'conflict') throw new Error(`register ${i}: ${r.kind}`);
        if (i >= 5) register.push(ms);
        checkpoints.maybeRun();
      }
      checkpoints.close();
      const median = pct(route, 50);
      const p99 = pct(register, 99);
      const metrics = { lead_route_ms: round(median, 2), lead_route_p99_ms: round(pct(route, 99), 2), deal_register_p50_ms: round(pct(register, 50), 2), deal_register_p99_ms: round(p99, 2) };
      const targets = { lead_route_ms: median <= 20, deal_register_p99_ms: p99 <= 20 };
      const table = [
        `co-selling (${PARTNERS.toLocaleString('en-US')} partners, ${OPEN_LEADS.toLocaleString('en-US')} open leads, ${DEALS.toLocaleString('en-US')} deals)`,
        `  lead_route_ms          ${metrics.lead_route_ms} (median of ${ROUTE_RUNS}; p99 ${metrics.lead_route_p99_ms})   goal ≤ 20`,
        `  deal_register_p99_ms   ${metrics.deal_register_p99_ms} (p50 ${metrics.deal_register_p50_ms}, ${REGISTER_RUNS} runs)   goal ≤ 20`,
      ].join('\n');
      return { metrics, targets, table, failures: [] };
    } finally {
      database.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
