// Seed generator for the PRM bench part: one program with 1,000 partners, 10 M clicks and 1 M
// conversions over 90 days, their commissions and the matching daily_stats rollup, in a file
// database. Vendor, program, tiers, rules, partners and links go through the app's own query
// functions; the bulk rows are written with the synchronous `libsql` driver (prepared multi-row
// INSERTs in large transactions), and the rollups are computed set-based after loading, with the
// same SQL as the app's native click rollup (src/db/queries/clicks.ts FOLD_STATEMENTS) and the
// contract's definitions for conversions.
//
// Standalone: `tsx bench/prm-seed.ts [path]` seeds a file that `BENCH_PRM_DB=path` can reuse.
// Scale (for quick checks): BENCH_PRM_CLICKS, BENCH_PRM_CONVERSIONS, BENCH_PRM_PARTNERS.
import Database from 'libsql';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { openAndMigrate } from '../src/bootstrap';
import { insertVendor } from '../src/db/queries/keys';
import { insertPartner } from '../src/db/queries/partners';
import { insertProgram, insertRule } from '../src/db/queries/programs';
import { insertTier } from '../src/db/queries/tiers';
import { createLink } from '../src/services/links/createLink';
import { ALL_PARTNERS_BACKFILL } from '../src/db/queries/stats';

type NativeDb = InstanceType<typeof Database>;

export const PRM_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DAY = 86_400_000;
const META_KEY = 'bench_prm_seed';
const SEED_VERSION = 1;
const HOLD_DAYS = 30;
const COOKIE_DAYS = 30;

export const plog = (msg: string): void => void process.stderr.write(`[bench] prm: ${msg}\n`);

export interface PrmSeedMeta {
  version: number;
  /** the seeded world's "now": midnight UTC after the last day of data */
  endMs: number;
  endDay: number;
  days: number;
  holdDays: number;
  programId: string;
  programNum: number;
  partners: number;
  clicks: number;
  botClicks: number;
  conversions: number;
  commissions: number;
  dailyStatsRows: number;
  seedSeconds: number;
  /** seconds per phase, for the record */
  phases: Record<string, number>;
  seededAt: string;
}

export interface SeedOptions {
  clicks: number;
  conversions: number;
  partners: number;
  days: number;
}

export function seedOptions(): SeedOptions {
  const num = (name: string, dflt: number): number => {
    const v = process.env[name];
    if (v === undefined || v === '') return dflt;
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer (got ${v})`);
    return n;
  };
  return {
    clicks: num('BENCH_PRM_CLICKS', 10_000_000),
    conversions: num('BENCH_PRM_CONVERSIONS', 1_000_000),
    partners: num('BENCH_PRM_PARTNERS', 1_000),
    days: 90,
  };
}

// ---------------------------------------------------------------------------------------------
// Deterministic randomness (sfc32), so two seeds of the same scale hold the same data.

function sfc32(a: number, b: number, c: number, d: number): () => number {
  return () => {
    a |= 0; b |= 0; c |= 0; d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}
const rnd = sfc32(0x9e3779b9, 0x243f6a88, 0xb7e15162, 0x2545f491);
for (let i = 0; i < 20; i++) rnd();
const u32 = (): number => (rnd() * 4294967296) >>> 0;
const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
const ALNUM = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
function alnum(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += ALNUM[(rnd() * 62) | 0];
  return s;
}

/** Weighted choice over a fixed table, by binary search on the cumulative weights. */
class Choice<T> {
  private readonly cum: Float64Array;
  constructor(readonly values: readonly T[], weights: readonly number[]) {
    this.cum = new Float64Array(weights.length);
    let s = 0;
    weights.forEach((w, i) => (this.cum[i] = s += w));
    for (let i = 0; i < this.cum.length; i++) this.cum[i]! /= s;
  }
  index(): number {
    const r = rnd();
    let lo = 0;
    let hi = this.cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cum[mid]! < r) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  pick(): T {
    return this.values[this.index()]!;
  }
}

// Report dimensions: 20 countries (+ ~1 % unknown), 3 devices for people ("bot" for bots, as the
// app's describeUserAgent does), browsers/OS by device, a handful of referrers and sub1 values.
const COUNTRIES = new Choice<string | null>(
  ['US', 'GB', 'DE', 'IN', 'FR', 'CA', 'BR', 'ES', 'IT', 'NL', 'AU', 'JP', 'MX', 'PL', 'SE', 'TR', 'ID', 'KR', 'CH', 'BE', null],
  [28, 9, 8, 7, 6, 5, 4, 3.5, 3.5, 3, 3, 3, 2.5, 2, 2, 2, 2, 1.5, 1.5, 1.5, 1],
);
const DEVICES = ['desktop', 'mobile', 'tablet', 'bot'] as const;
const HUMAN_DEVICE = new Choice([0, 1, 2], [44, 49, 7]);
const AGENTS: Choice<[string | null, string | null]>[] = [
  new Choice<[string, string]>([['Chrome', 'Windows'], ['Safari', 'Mac OS'], ['Edge', 'Windows'], ['Firefox', 'Windows'], ['Chrome', 'Mac OS'], ['Chrome', 'Linux']], [45, 18, 14, 8, 10, 5]),
  new Choice<[string, string]>([['Mobile Safari', 'iOS'], ['Chrome', 'Android'], ['Samsung Browser', 'Android']], [45, 45, 10]),
  new Choice<[string, string]>([['Mobile Safari', 'iOS'], ['Chrome', 'Android']], [70, 30]),
  new Choice<[null, null]>([[null, null]], [1]),
];
const REFERRERS = new Choice<string | null>(
  [null, 'www.google.com', 't.co', 'www.youtube.com', 'l.instagram.com', 'www.facebook.com', 'www.reddit.com', 'news.ycombinator.com'],
  [45, 20, 6, 10, 7, 5, 4, 3],
);
const SUB1 = new Choice<string>(
  ['yt', 'newsletter', 'ig-story', 'blog', 'tw', 'fb', 'email-2024', 'tiktok', 'banner-top', 'sidebar', 'review', 'deal'],
  [20, 15, 12, 10, 8, 8, 6, 6, 5, 4, 3, 3],
);
const HOURS = new Choice(
  Array.from({ length: 24 }, (_, h) => h),
  [2.0, 1.6, 1.2, 1.0, 0.9, 0.9, 1.1, 1.5, 2.0, 2.5, 2.8, 3.0, 3.2, 3.4, 3.6, 3.8, 4.0, 4.0, 3.8, 3.5, 3.2, 3.0, 2.8, 2.4],
);

/** Progress on stderr at most every few seconds: rows/s and ETA. */
class Progress {
  private readonly t0 = performance.now();
  private last = this.t0;
  constructor(private readonly what: string, private readonly total: number) {}
  tick(done: number): void {
    const now = performance.now();
    if (now - this.last < 3000) return;
    this.last = now;
    const rate = done / ((now - this.t0) / 1000);
    const eta = rate > 0 ? (this.total - done) / rate : 0;
    plog(`${this.what} ${done.toLocaleString('en-US')}/${this.total.toLocaleString('en-US')} (${((100 * done) / this.total).toFixed(0)} %), ${Math.round(rate).toLocaleString('en-US')} rows/s, ETA ${eta.toFixed(0)} s`);
  }
  done(): number {
    const s = (performance.now() - this.t0) / 1000;
    plog(`${this.what}: ${this.total.toLocaleString('en-US')} in ${s.toFixed(1)} s (${Math.round(this.total / s).toLocaleString('en-US')} rows/s)`);
    return s;
  }
}

/** Multi-row prepared INSERTs, `rows` per statement, one for the tail. */
class BulkInsert {
  private readonly full;
  private readonly args: unknown[];
  private n = 0;
  constructor(private readonly db: NativeDb, private readonly table: string, private readonly columns: readonly string[], private readonly rows: number) {
    this.full = db.prepare(this.sql(rows));
    this.args = new Array<unknown>(rows * columns.length);
  }
  private sql(rows: number): string {
    const one = `(${this.columns.map(() => '?').join(',')})`;
    return `INSERT INTO ${this.table} (${this.columns.join(',')}) VALUES ${Array(rows).fill(one).join(',')}`;
  }
  /** adds one row: exactly `columns.length` values */
  push(...values: unknown[]): void {
    let at = this.n * this.columns.length;
    for (const v of values) this.args[at++] = v;
    if (++this.n === this.rows) {
      this.full.run(this.args);
      this.n = 0;
    }
  }
  flush(): void {
    if (this.n === 0) return;
    this.db.prepare(this.sql(this.n)).run(this.args.slice(0, this.n * this.columns.length));
    this.n = 0;
  }
}

// ---------------------------------------------------------------------------------------------

interface PartnerFx {
  id: string;
  num: number;
  linkId: string;
  linkNum: number;
  tierId: string;
  /** 0 entry, 1 silver, 2 gold */
  tierRank: number;
}

interface Setup {
  programId: string;
  programNum: number;
  partners: PartnerFx[];
  /** rule id and value by [tierRank][event]: percent × 10 000 for sales, minor units for leads */
  rules: { sale: { id: string; value: number }; lead: { id: string; value: number } }[];
}

/** Vendor, program, tiers, rules, partners and links through the app's query functions. */
async function setupProgram(path: string, opts: SeedOptions, endMs: number, popularityRank: Uint32Array): Promise<Setup> {
  const { database } = await openAndMigrate(`file:${path}`, undefined, 'bench-prm-secret-0123456789abcdef0123');
  try {
    await database.client.execute('PRAGMA synchronous = OFF');
    const db = database.db;
    const t0 = endMs - 400 * DAY;
    const vendor = await insertVendor(db, 'Bench Shop Inc.', t0);
    const { program, entryTierId } = await insertProgram(db, {
      vendorId: vendor.id, name: 'Bench Shop Partners', currency: 'USD', cookieDays: COOKIE_DAYS, attribution: 'last_click',
      holdDays: HOLD_DAYS, allowedDomains: ['shop.example.com', '.example.com'], clickParam: 'afx_click', minPayout: 5000,
    }, t0);
    const silver = await insertTier(db, { programId: program.id, name: 'Silver', rank: 1, metric: 'revenue', threshold: 5_000_000, windowDays: 90, createdAt: t0 });
    const gold = await insertTier(db, { programId: program.id, name: 'Gold', rank: 2, metric: 'revenue', threshold: 50_000_000, windowDays: 90, createdAt: t0 });
    const rule = (tierId: string | null, event: 'sale' | 'lead', type: 'percent' | 'flat', value: number) =>
      insertRule(db, { programId: program.id, tierId, event, type, value, createdAt: t0 });
    const saleAll = await rule(null, 'sale', 'percent', 100_000); // 10 %
    const leadAll = await rule(null, 'lead', 'flat', 500); // 5.00
    const saleSilver = await rule(silver.id, 'sale', 'percent', 150_000); // 15 %
    const saleGold = await rule(gold.id, 'sale', 'percent', 200_000); // 20 %
    const tierIds = [entryTierId, silver.id, gold.id];
    const partners: PartnerFx[] = [];
    for (let i = 0; i < opts.partners; i++) {
      // tiers as a settle a while ago left them: the most popular partners are up
      const rank = popularityRank[i]!;
      const tierRank = rank < 15 ? 2 : rank < 150 ? 1 : 0;
      const created = t0 + DAY + Math.floor((i / opts.partners) * 250 * DAY);
      const { partner } = await insertPartner(db, {
        vendorId: vendor.id, programId: program.id, name: `Partner ${i + 1}`, email: `partner${i + 1}@example.com`,
        coupon: null, tierId: tierIds[tierRank]!,
      }, created);
      const link = await createLink(db, program, { partnerId: partner.id, destination: 'https://shop.example.com/', allowDeepLinks: false }, created, { kind: 'system' });
      if (link.kind !== 'created') throw new Error(`link for partner ${i + 1}: ${link.kind}`);
      partners.push({ id: partner.id, num: partner.num, linkId: link.link.id, linkNum: link.link.num, tierId: partner.tierId, tierRank });
    }
    return {
      programId: program.id,
      programNum: program.num,
      partners,
      rules: [
        { sale: { id: saleAll.id, value: 100_000 }, lead: { id: leadAll.id, value: 500 } },
        { sale: { id: saleSilver.id, value: 150_000 }, lead: { id: leadAll.id, value: 500 } },
        { sale: { id: saleGold.id, value: 200_000 }, lead: { id: leadAll.id, value: 500 } },
      ],
    };
  } finally {
    database.close();
  }
}

/** round(a × b ÷ c), half away from zero, exact for the magnitudes here (< 2^53). */
const roundDiv = (a: number, b: number, c: number): number => {
  const x = a * b;
  const q = Math.floor(x / c);
  return 2 * (x - q * c) >= c ? q + 1 : q;
};

function varint(buf: Buffer, at: number, value: number): number {
  let v = value;
  while (v >= 0x80) {
    buf[at++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[at++] = v;
  return at;
}

/** Clicks that may lead to a conversion: the click's seq, the conversion time, the partner index. */
interface Candidates {
  n: number;
  seq: number[];
  occurred: number[];
  partner: number[];
}

/** The clicks, in time order, day by day; collects conversion candidates on the way. */
function writeClicks(ndb: NativeDb, opts: SeedOptions, setup: Setup, startMs: number, endMs: number, popularityRank: Uint32Array) {
  const P = setup.partners.length;
  // Zipf-like popularity (s = 1.05) over a shuffled rank; conversion rates vary by partner.
  const weights = Array.from({ length: P }, (_, i) => 1 / Math.pow(popularityRank[i]! + 1, 1.05));
  const partnerChoice = new Choice(Array.from({ length: P }, (_, i) => i), weights);
  const totalW = weights.reduce((a, b) => a + b, 0);
  const cr = Array.from({ length: P }, () => Math.min(3, Math.max(0.2, Math.exp(0.5 * gauss()))));
  const crMean = cr.reduce((s, c, i) => s + (c * weights[i]!) / totalW, 0);
  const usesSub1 = Array.from({ length: P }, () => rnd() < 0.4);
  // ~1.15× the conversions asked for, so that exactly that many can be drawn from the candidates
  const pConv = Math.min(1, (1.15 * opts.conversions) / (0.95 * opts.clicks * 0.97)) / crMean;

  // day volumes: growth over the period, quieter weekends, some noise
  const dayW = Array.from({ length: opts.days }, (_, k) => {
    const dow = new Date(startMs + k * DAY).getUTCDay();
    return (0.8 + (0.4 * k) / Math.max(1, opts.days - 1)) * (dow === 0 || dow === 6 ? 0.85 : 1) * (1 + 0.05 * gauss());
  });
  const sumW = dayW.reduce((a, b) => a + b, 0);
  const perDay = dayW.map((w) => Math.floor((opts.clicks * w) / sumW));
  perDay[perDay.length - 1]! += opts.clicks - perDay.reduce((a, b) => a + b, 0);

  const RING = 16;
  const ring = new Float64Array(P * RING);
  const ringLen = new Uint8Array(P);
  const ringAttrs = new Int32Array(P * RING);
  const cand: Candidates = { n: 0, seq: [], occurred: [], partner: [] };
  const ins = new BulkInsert(ndb, 'clicks', ['id', 'ts', 'program_num', 'link_num', 'partner_num', 'bot', 'browser', 'os', 'device', 'country', 'referrer_host', 'sub1', 'visitor'], 200);
  const idBuf = Buffer.alloc(48);
  const progress = new Progress('clicks', opts.clicks);
  let seq = 0;
  let bots = 0;
  ndb.exec('BEGIN');
  for (let k = 0; k < opts.days; k++) {
    const dayStart = startMs + k * DAY;
    const n = perDay[k]!;
    const offs = new Float64Array(n);
    for (let i = 0; i < n; i++) offs[i] = HOURS.index() * 3_600_000 + Math.floor(rnd() * 3_600_000);
    offs.sort();
    ringLen.fill(0); // visitors are per day (the visitor hash includes the day)
    for (let i = 0; i < n; i++) {
      const ts = dayStart + offs[i]!;
      const bot = rnd() < 0.05;
      const p = partnerChoice.index();
      const fx = setup.partners[p]!;
      // a returning visitor (same IP and agent, same day, same link) keeps its country and device
      let visitor: number;
      let dev: number;
      let ai: number;
      let ci: number;
      const slot = !bot && ringLen[p]! > 0 && rnd() < 0.33 ? p * RING + ((rnd() * ringLen[p]!) | 0) : -1;
      if (slot >= 0) {
        visitor = ring[slot]!;
        const attrs = ringAttrs[slot]!;
        ci = attrs & 0xff;
        dev = (attrs >> 8) & 0xff;
        ai = attrs >> 16;
      } else {
        visitor = (u32() & 0xffff) * 4294967296 + u32();
        dev = bot ? 3 : HUMAN_DEVICE.index();
        ai = AGENTS[dev]!.index();
        ci = COUNTRIES.index();
        if (!bot) {
          const at = ringLen[p]! < RING ? p * RING + ringLen[p]!++ : p * RING + ((rnd() * RING) | 0);
          ring[at] = visitor;
          ringAttrs[at] = ci | (dev << 8) | (ai << 16);
        }
      }
      const [browser, os] = AGENTS[dev]!.values[ai]!;
      const country = COUNTRIES.values[ci]!;
      const si = usesSub1[p] && rnd() < 0.7 ? SUB1.index() : -1;
      // the app's click id layout: version|bot, 48-bit time, 64 random bits, varint nums, 64-bit tag
      idBuf[0] = 0x10 | (bot ? 1 : 0);
      idBuf.writeUIntBE(ts, 1, 6);
      idBuf.writeUInt32LE(u32(), 7);
      idBuf.writeUInt32LE(u32(), 11);
      const at = varint(idBuf, varint(idBuf, varint(idBuf, 15, setup.programNum), fx.linkNum), fx.num);
      idBuf.writeUInt32LE(u32(), at);
      idBuf.writeUInt32LE(u32(), at + 4);
      const id = idBuf.toString('base64url', 0, at + 8);
      seq++;
      if (bot) bots++;
      ins.push(id, ts, setup.programNum, fx.linkNum, fx.num, bot ? 1 : 0, browser, os, DEVICES[dev], country,
        REFERRERS.pick(), si < 0 ? null : SUB1.values[si], visitor);
      if (!bot && rnd() < pConv * cr[p]!) {
        // time to convert: mostly within the hour, many within days, some up to the cookie window
        const r = rnd();
        const delay = r < 0.55 ? -20 * 60_000 * Math.log(1 - rnd()) : r < 0.9 ? -18 * 3_600_000 * Math.log(1 - rnd()) : DAY + rnd() * 29 * DAY;
        const occurred = ts + Math.min(Math.floor(delay) + 1000, COOKIE_DAYS * DAY - 1);
        if (occurred < endMs) {
          cand.seq.push(seq);
          cand.occurred.push(occurred);
          cand.partner.push(p);
          cand.n++;
        }
      }
      if ((seq & 0xffff) === 0) progress.tick(seq);
      if (seq % 1_000_000 === 0) {
        ins.flush();
        ndb.exec('COMMIT; BEGIN');
      }
    }
  }
  ins.flush();
  ndb.exec('COMMIT');
  return { seconds: progress.done(), bots, cand };
}

/**
 * The click rollup, set-based, in chunks of seq: the SQL of NativeClickStore.rollup()
 * (link_visitors first, then one grouped pass into a temp table, then every dimension from it).
 */
function foldClicks(ndb: NativeDb, total: number): number {
  const CHUNK = 1_000_000;
  const range = (alias: string) => `${alias}seq > ? AND ${alias}seq <= ?`;
  const dims: [string, string][] = [['total', "''"], ['link', 'CAST(link_num AS TEXT)'], ['country', 'country'], ['device', 'device'], ['sub1', 'sub1']];
  ndb.exec(`CREATE TEMP TABLE IF NOT EXISTS click_fold (program_num INTEGER, day INTEGER, link_num INTEGER,
    partner_num INTEGER, country TEXT, device TEXT, sub1 TEXT, clicks INTEGER, unique_clicks INTEGER, bot_clicks INTEGER)`);
  const steps = [
    `INSERT OR IGNORE INTO link_visitors (link_num, day, visitor, first_seq)
       SELECT link_num, ts / 86400000, visitor, min(seq) FROM clicks
       WHERE ${range('')} AND bot = 0 GROUP BY ts / 86400000, link_num, visitor`, // day first (same groups): clicks come in time order, ~30 % cheaper to sort
    `DELETE FROM temp.click_fold`,
    `INSERT INTO temp.click_fold
       SELECT c.program_num, c.ts / 86400000, c.link_num, c.partner_num, coalesce(c.country, ''), c.device, coalesce(c.sub1, ''),
         sum(1 - c.bot),
         sum(EXISTS (SELECT 1 FROM link_visitors v WHERE v.link_num = c.link_num AND v.day = c.ts / 86400000
                     AND v.visitor = c.visitor AND v.first_seq = c.seq)),
         sum(c.bot)
       FROM clicks c WHERE ${range('c.')}
       GROUP BY 1, 2, 3, 4, 5, 6, 7`,
    ...dims.map(([dim, key]) => `INSERT INTO daily_stats (program_num, dim, day, partner_num, key, clicks, unique_clicks, bot_clicks)
       SELECT program_num, '${dim}', day, partner_num, ${key}, sum(clicks), sum(unique_clicks), sum(bot_clicks)
       FROM temp.click_fold WHERE true GROUP BY program_num, day, partner_num, ${key}
       ON CONFLICT (program_num, dim, day, partner_num, key) DO UPDATE SET
         clicks = clicks + excluded.clicks, unique_clicks = unique_clicks + excluded.unique_clicks, bot_clicks = bot_clicks + excluded.bot_clicks`),
    `INSERT INTO link_click_counts (link_num, clicks, bot_clicks)
       SELECT link_num, sum(clicks), sum(bot_clicks) FROM temp.click_fold WHERE true GROUP BY link_num
       ON CONFLICT (link_num) DO UPDATE SET clicks = clicks + excluded.clicks, bot_clicks = bot_clicks + excluded.bot_clicks`,
  ].map((sql) => ({ stmt: ndb.prepare(sql), ranged: sql.includes('?') }));
  const progress = new Progress('click rollup (link_visitors + daily_stats)', total);
  for (let from = 0; from < total; from += CHUNK) {
    const to = Math.min(total, from + CHUNK);
    ndb.exec('BEGIN');
    for (const s of steps) s.stmt.run(s.ranged ? [from, to] : []);
    ndb.exec('COMMIT');
    progress.tick(to);
  }
  ndb.prepare(`INSERT INTO cursors (name, value) VALUES ('clicks', ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value`).run([total]);
  return progress.done();
}

/**
 * Conversions (exactly opts.conversions, drawn from the candidates) and their commissions. The
 * per-conversion decisions are made here and written as integers to a temp plan table; the rows
 * themselves are then built set-based, taking link, partner, click id, country, device and sub1
 * from the click (as the app does), which binds far fewer strings than writing them directly.
 */
function writeConversions(ndb: NativeDb, opts: SeedOptions, setup: Setup, cand: Candidates, endMs: number) {
  if (cand.n < opts.conversions) throw new Error(`only ${cand.n} conversion candidates for ${opts.conversions} conversions`);
  const t0 = performance.now();
  // draw exactly opts.conversions candidates (partial Fisher-Yates), then put them in time order
  const idx = new Uint32Array(cand.n);
  for (let i = 0; i < cand.n; i++) idx[i] = i;
  for (let i = 0; i < opts.conversions; i++) {
    const j = i + Math.floor(rnd() * (cand.n - i));
    const t = idx[i]!;
    idx[i] = idx[j]!;
    idx[j] = t;
  }
  const chosen = Array.from(idx.subarray(0, opts.conversions)).sort((a, b) => cand.occurred[a]! - cand.occurred[b]!);

  ndb.exec(`CREATE TEMP TABLE conv_plan (i INTEGER PRIMARY KEY, seq INTEGER NOT NULL, cnv_id TEXT NOT NULL, com_id TEXT, occurred INTEGER NOT NULL,
    created INTEGER NOT NULL, amount INTEGER NOT NULL, refunded INTEGER NOT NULL, flags INTEGER NOT NULL, customer INTEGER,
    com_amount INTEGER, com_original INTEGER, com_status INTEGER, rule INTEGER, com_updated INTEGER)`);
  const plan = new BulkInsert(ndb, 'temp.conv_plan', ['i', 'seq', 'cnv_id', 'com_id', 'occurred', 'created', 'amount', 'refunded', 'flags', 'customer',
    'com_amount', 'com_original', 'com_status', 'rule', 'com_updated'], 200);
  const LEAD = 1;
  const PIXEL = 2;
  const UNATTRIBUTED = 4;
  const STATUSES = ['pending', 'hold', 'rejected', 'reversed'];
  const ruleIds: string[] = [];
  const ruleCode = new Map<string, number>();
  for (const r of setup.rules) for (const e of [r.sale, r.lead]) if (!ruleCode.has(e.id)) ruleCode.set(e.id, ruleIds.push(e.id) - 1);
  const customerPool = Math.max(1, Math.floor(opts.conversions * 0.4));
  const progress = new Progress('conversions (plan)', opts.conversions);
  let commissions = 0;
  ndb.exec('BEGIN');
  chosen.forEach((c, i) => {
    const fx = setup.partners[cand.partner[c]!]!;
    const occurred = cand.occurred[c]!;
    const created = Math.min(endMs - 1, occurred + 2000 + Math.floor(rnd() * 60_000)); // postback lag
    const attributed = rnd() >= 0.01; // ~1 % arrive without an identifier
    const lead = rnd() < 0.08;
    const pixel = rnd() < 0.02;
    let amount = 0;
    if (!lead) {
      const v = Math.exp(Math.log(4500) + 0.8 * gauss());
      amount = Math.max(99, Math.min(250_000, Math.round(v / 100) * 100 - 1));
    }
    let refunded = 0;
    let updated = created;
    if (!lead) {
      const r = rnd();
      if (r < 0.02) refunded = amount;
      else if (r < 0.05) refunded = Math.max(1, Math.min(amount - 1, Math.round(amount * (0.1 + 0.8 * rnd()))));
      if (refunded) updated = Math.min(endMs - 1, created + Math.floor(rnd() * 20 * DAY));
    }
    const customer = rnd() < 0.5 ? Math.floor(rnd() * customerPool) : null;
    const flags = (lead ? LEAD : 0) | (pixel ? PIXEL : 0) | (attributed ? 0 : UNATTRIBUTED);
    if (attributed) {
      const rule = setup.rules[fx.tierRank]![lead ? 'lead' : 'sale'];
      const original = lead ? rule.value : roundDiv(amount, rule.value, 1_000_000);
      const current = refunded ? roundDiv(original, amount - refunded, amount) : original;
      let status = pixel ? 1 : 0;
      if (rnd() < 0.01) {
        status = 2;
        updated = Math.min(endMs - 1, created + DAY);
      } else if (refunded === amount && amount > 0) status = 3;
      plan.push(i, cand.seq[c]!, alnum(16), alnum(16), occurred, created, amount, refunded, flags, customer, current, original, status, ruleCode.get(rule.id)!, updated);
      commissions++;
    } else {
      plan.push(i, cand.seq[c]!, alnum(16), null, occurred, created, amount, refunded, flags, customer, null, null, null, null, null);
    }
    if ((i & 0x3fff) === 0) progress.tick(i);
  });
  plan.flush();
  progress.done();
  // secondary indexes are built once after the load (their exact DDL from the migration), which is
  // much cheaper than keeping six random-order indexes up to date row by row
  const indexes = ndb.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('conversions', 'commissions') AND sql IS NOT NULL`)
    .all([]) as { name: string; sql: string }[];
  for (const ix of indexes) ndb.exec(`DROP INDEX "${ix.name}"`);
  const attributed = `p.flags & ${UNATTRIBUTED} = 0`;
  const prog = `'${setup.programId}'`;
  let t = performance.now();
  ndb.exec(`INSERT INTO conversions (id, program_id, event, order_id, amount, refunded, currency, source, status, reason, partner_id, link_id,
      click_id, click_ts, via, model, country, device, sub1, partner_num, link_num, customer_id, coupon, occurred_at, change_token, created_at)
    SELECT 'cnv_' || p.cnv_id, ${prog}, CASE WHEN p.flags & ${LEAD} THEN 'lead' ELSE 'sale' END, printf('ord_%08d', p.i + 1), p.amount, p.refunded, 'USD',
      CASE WHEN p.flags & ${PIXEL} THEN 'pixel' ELSE 'postback' END,
      CASE WHEN ${attributed} THEN 'attributed' ELSE 'unattributed' END, CASE WHEN ${attributed} THEN NULL ELSE 'no_identifier' END,
      iif(${attributed}, pt.id, NULL), iif(${attributed}, l.id, NULL), iif(${attributed}, c.id, NULL), iif(${attributed}, c.ts, NULL),
      iif(${attributed}, 'click', NULL), 'last_click',
      iif(${attributed}, c.country, NULL), iif(${attributed}, c.device, NULL), iif(${attributed}, c.sub1, NULL),
      iif(${attributed}, c.partner_num, NULL), iif(${attributed}, c.link_num, NULL),
      'cus_' || p.customer, NULL, p.occurred, iif(p.refunded > 0, p.cnv_id, NULL), p.created
    FROM temp.conv_plan p JOIN clicks c ON c.seq = p.seq JOIN partners pt ON pt.num = c.partner_num JOIN links l ON l.num = c.link_num
    ORDER BY p.i`);
  plog(`conversions: ${((performance.now() - t) / 1000).toFixed(1)} s`);
  t = performance.now();
  ndb.exec(`INSERT INTO commissions (id, program_id, partner_id, conversion_id, rule_id, tier_id, amount, original_amount, currency, status,
      available_at, payout_id, change_token, created_at, updated_at)
    SELECT 'com_' || p.com_id, ${prog}, pt.id, 'cnv_' || p.cnv_id,
      CASE p.rule ${ruleIds.map((id, k) => `WHEN ${k} THEN '${id}'`).join(' ')} END, pt.tier_id,
      p.com_amount, p.com_original, 'USD', CASE p.com_status ${STATUSES.map((st, k) => `WHEN ${k} THEN '${st}'`).join(' ')} END,
      p.created + ${HOLD_DAYS * DAY}, NULL, NULL, p.created, p.com_updated
    FROM temp.conv_plan p JOIN clicks c ON c.seq = p.seq JOIN partners pt ON pt.num = c.partner_num
    WHERE ${attributed} ORDER BY p.i`);
  plog(`commissions: ${((performance.now() - t) / 1000).toFixed(1)} s`);
  t = performance.now();
  // what insertConversion's upsert leaves behind: first and last partner of each customer
  ndb.exec(`INSERT INTO customers (program_id, external_id, first_partner_id, first_at, last_partner_id, last_at)
    SELECT program_id, customer_id, first_partner, first_at, last_partner, last_at FROM (
      SELECT program_id, customer_id, first_value(partner_id) OVER w AS first_partner, min(occurred_at) OVER w AS first_at,
        last_value(partner_id) OVER w AS last_partner, max(occurred_at) OVER w AS last_at, row_number() OVER w AS rn
      FROM conversions WHERE program_id = ${prog} AND status = 'attributed' AND customer_id IS NOT NULL
      WINDOW w AS (PARTITION BY customer_id ORDER BY occurred_at, rowid ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING))
    WHERE rn = 1`);
  plog(`customers: ${((performance.now() - t) / 1000).toFixed(1)} s`);
  t = performance.now();
  for (const ix of indexes) ndb.exec(ix.sql);
  plog(`${indexes.length} conversion and commission indexes: ${((performance.now() - t) / 1000).toFixed(1)} s`);
  ndb.exec('COMMIT');
  ndb.exec('DROP TABLE temp.conv_plan');
  return { seconds: (performance.now() - t0) / 1000, commissions };
}

/**
 * The conversion side of daily_stats, set-based, by the contract's definitions: attributed, not
 * fully refunded conversions by occurredAt day, revenue = amount − refunded, commission = current
 * amount unless rejected or reversed; keys from the conversion row (as statKeysOf does).
 */
function foldConversions(ndb: NativeDb, setup: Setup): number {
  const t0 = performance.now();
  const dims: [string, string][] = [['total', "''"], ['link', 'link_key'], ['country', 'country'], ['device', 'device'], ['sub1', 'sub1']];
  ndb.exec(`CREATE TEMP TABLE conv_fold (day INTEGER, partner_num INTEGER, link_key TEXT, country TEXT, device TEXT, sub1 TEXT,
    conversions INTEGER, revenue INTEGER, commission INTEGER)`);
  ndb.exec('BEGIN');
  ndb.prepare(`INSERT INTO temp.conv_fold
    SELECT c.occurred_at / 86400000, coalesce(c.partner_num, 0), coalesce(CAST(c.link_num AS TEXT), ''),
      coalesce(c.country, ''), coalesce(c.device, ''), coalesce(c.sub1, ''),
      count(*), sum(c.amount - c.refunded),
      sum(CASE WHEN m.status IN ('hold', 'pending', 'approved', 'paid') THEN m.amount ELSE 0 END)
    FROM conversions c LEFT JOIN commissions m ON m.conversion_id = c.id
    WHERE c.program_id = ? AND c.status = 'attributed' AND NOT (c.amount > 0 AND c.refunded >= c.amount)
    GROUP BY 1, 2, 3, 4, 5, 6`).run([setup.programId]);
  for (const [dim, key] of dims) {
    ndb.prepare(`INSERT INTO daily_stats (program_num, dim, day, partner_num, key, conversions, revenue, commission)
      SELECT ?, '${dim}', day, partner_num, ${key}, sum(conversions), sum(revenue), sum(commission)
      FROM temp.conv_fold WHERE true GROUP BY day, partner_num, ${key}
      ON CONFLICT (program_num, dim, day, partner_num, key) DO UPDATE SET
        conversions = conversions + excluded.conversions, revenue = revenue + excluded.revenue, commission = commission + excluded.commission`).run([setup.programNum]);
  }
  ndb.exec('COMMIT');
  ndb.exec('DROP TABLE temp.conv_fold');
  const s = (performance.now() - t0) / 1000;
  plog(`conversion rollup: ${s.toFixed(1)} s`);
  return s;
}

/** Seeds a new database at `path` (written under `path.partial`, renamed when complete). */
export async function seedPrm(path: string, opts: SeedOptions = seedOptions()): Promise<PrmSeedMeta> {
  const t0 = performance.now();
  const tmp = `${path}.partial`;
  for (const f of [tmp, `${tmp}-wal`, `${tmp}-shm`]) rmSync(f, { force: true });
  mkdirSync(dirname(path), { recursive: true });
  const endDay = Math.floor(Date.now() / DAY); // today 00:00 UTC: the data covers the `days` full days before it
  const endMs = endDay * DAY;
  const startMs = endMs - opts.days * DAY;
  plog(`seeding ${path}: ${opts.partners} partners, ${opts.clicks.toLocaleString('en-US')} clicks, ${opts.conversions.toLocaleString('en-US')} conversions over ${opts.days} days`);
  const popularityRank = new Uint32Array(opts.partners);
  for (let i = 0; i < opts.partners; i++) popularityRank[i] = i;
  for (let i = opts.partners - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    const t = popularityRank[i]!;
    popularityRank[i] = popularityRank[j]!;
    popularityRank[j] = t;
  }
  const phases: Record<string, number> = {};
  let ndb: NativeDb | null = null;
  try {
    let t = performance.now();
    const setup = await setupProgram(tmp, opts, endMs, popularityRank);
    phases.setup = (performance.now() - t) / 1000;
    plog(`program ${setup.programId} (num ${setup.programNum}), ${setup.partners.length} partners with links: ${phases.setup.toFixed(1)} s`);

    ndb = new Database(tmp);
    // seeding only: nothing here needs to survive a crash (the file is renamed when complete)
    ndb.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF; PRAGMA foreign_keys = OFF; PRAGMA cache_size = -1048576; PRAGMA temp_store = MEMORY; PRAGMA wal_autocheckpoint = 10000');
    const clicks = writeClicks(ndb, opts, setup, startMs, endMs, popularityRank);
    phases.clicks = clicks.seconds;
    phases.click_rollup = foldClicks(ndb, opts.clicks);
    const conv = writeConversions(ndb, opts, setup, clicks.cand, endMs);
    phases.conversions = conv.seconds;
    phases.conversion_rollup = foldConversions(ndb, setup);
    ndb.exec(ALL_PARTNERS_BACKFILL); // the program-wide rows the live rollup keeps alongside
    const dailyStatsRows = Number((ndb.prepare('SELECT count(*) AS n FROM daily_stats').get([]) as { n: number }).n);
    const meta: PrmSeedMeta = {
      version: SEED_VERSION, endMs, endDay, days: opts.days, holdDays: HOLD_DAYS, programId: setup.programId, programNum: setup.programNum,
      partners: setup.partners.length, clicks: opts.clicks, botClicks: clicks.bots, conversions: opts.conversions, commissions: conv.commissions,
      dailyStatsRows, seedSeconds: Number(((performance.now() - t0) / 1000).toFixed(1)), phases, seededAt: new Date().toISOString(),
    };
    ndb.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run([META_KEY, JSON.stringify(meta)]);
    // everything into the main file before it is renamed (the WAL keeps the .partial name)
    t = performance.now();
    const ck = ndb.prepare('PRAGMA wal_checkpoint(TRUNCATE)').get([]) as { busy: number; log: number; checkpointed: number } | undefined;
    if (!ck || ck.busy !== 0 || ck.log > 0) throw new Error(`checkpoint of ${tmp} incomplete: ${JSON.stringify(ck)}`);
    plog(`checkpoint: ${((performance.now() - t) / 1000).toFixed(1)} s`);
    ndb.close();
    ndb = null;
    for (const f of [`${path}-wal`, `${path}-shm`, `${tmp}-wal`, `${tmp}-shm`]) rmSync(f, { force: true });
    renameSync(tmp, path);
    plog(`seeded in ${meta.seedSeconds} s (${Object.entries(phases).map(([k, v]) => `${k} ${v.toFixed(1)} s`).join(', ')}); ${dailyStatsRows.toLocaleString('en-US')} daily_stats rows`);
    return meta;
  } catch (e) {
    ndb?.close();
    for (const f of [tmp, `${tmp}-wal`, `${tmp}-shm`]) rmSync(f, { force: true });
    throw e;
  }
}

/** The seed's record in a seeded file, or null when the file holds none. */
export function readSeedMeta(path: string): PrmSeedMeta | null {
  const ndb = new Database(path);
  try {
    const row = ndb.prepare('SELECT value FROM settings WHERE key = ?').get([META_KEY]) as { value: string } | undefined;
    if (!row) return null;
    const meta = JSON.parse(row.value) as PrmSeedMeta;
    return meta.version === SEED_VERSION ? meta : null;
  } catch {
    return null;
  } finally {
    ndb.close();
  }
}

export interface PrmDb {
  path: string;
  meta: PrmSeedMeta;
  reused: boolean;
  cleanup(): void;
}

/**
 * The database to measure: the file BENCH_PRM_DB names when it already holds a seed (else it is
 * seeded there and kept), or a fresh one under bench/.data/, deleted afterwards unless BENCH_KEEP=1.
 */
export async function ensurePrmDb(): Promise<PrmDb> {
  const named = process.env.BENCH_PRM_DB;
  if (named) {
    const path = resolve(named);
    if (existsSync(path)) {
      const meta = readSeedMeta(path);
      if (!meta) throw new Error(`BENCH_PRM_DB=${named} exists but holds no PRM seed of version ${SEED_VERSION}; delete it or point elsewhere`);
      plog(`reusing ${path} (seeded ${meta.seededAt} in ${meta.seedSeconds} s)`);
      return { path, meta, reused: true, cleanup: () => {} };
    }
    return { path, meta: await seedPrm(path), reused: false, cleanup: () => plog(`kept ${path}`) };
  }
  const path = join(PRM_ROOT, 'bench/.data', `prm-${Date.now()}.db`);
  const meta = await seedPrm(path);
  const keep = process.env.BENCH_KEEP === '1';
  return {
    path, meta, reused: false,
    cleanup: () => {
      if (keep) return plog(`kept ${path}: BENCH_PRM_DB=${path} reuses it`);
      for (const f of [path, `${path}-wal`, `${path}-shm`]) rmSync(f, { force: true });
    },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const path = resolve(process.argv[2] ?? join(PRM_ROOT, 'bench/.data/prm.db'));
  if (existsSync(path)) {
    plog(`${path} exists; delete it first to reseed`);
    process.exitCode = 1;
  } else {
    seedPrm(path).then(
      (m) => plog(`done: BENCH_PRM_DB=${path} (${m.seedSeconds} s)`),
      (e: unknown) => {
        plog(`failed: ${e instanceof Error ? e.stack : String(e)}`);
        process.exitCode = 1;
      },
    );
  }
}
