// Durability part (CONTRACT "Durability of an answered click"): how many answered clicks one
// `kill -9` loses while another connection holds the database's write lock, and the redirect p99
// while a 200k-click journal left by an earlier run is replayed in the background.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import Database from 'libsql';
import { setupLink } from './api.js';
import { BROWSER_UA } from './load.js';
import { ROOT, type Server, log, round, sleep, startServer, waitReady } from './lib.js';
import type { PartResult } from './part.js';

const BURST_S = 3;
const CONNECTIONS = 50;
const JOURNALED = 200_000;
/** closed-loop connections measuring redirect latency during the replay */
const REPLAY_CONNECTIONS = 10;
const ALLOWANCE_MS = 100;

interface Answer { id: string; at: number; latencyMs: number; startedAt: number }

/**
 * Keeps `connections` keep-alive GETs of `url` going until `stop()`; records each 302's click id
 * (from its Location), when it was answered and how long it took.
 */
function redirectLoad(url: string, connections: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const answers: Answer[] = [];
  let stopped = false;
  let errors = 0;
  const target = new URL(url);
  const one = (): Promise<void> =>
    new Promise((done) => {
      const startedAt = performance.now();
      const req = http.request(
        { host: target.hostname, port: target.port, path: target.pathname, agent, headers: { 'user-agent': BROWSER_UA } },
        (res) => {
          res.resume();
          const location = res.headers.location;
          const id = res.statusCode === 302 && location ? new URL(location).searchParams.get('afx_click') : null;
          if (id) answers.push({ id, at: Date.now(), latencyMs: performance.now() - startedAt, startedAt });
          res.on('end', done);
          res.on('error', () => done());
        },
      );
      req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        errors++;
        done();
      });
      req.end();
    });
  const loops = Array.from({ length: connections }, async () => {
    while (!stopped) await one();
  });
  return {
    answers,
    errors: () => errors,
    stop: async () => {
      stopped = true;
      await Promise.all(loops);
      agent.destroy();
    },
  };
}

function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

/** Journal files of the database that still hold clicks. */
function journalBacklog(dbPath: string): string[] {
  const dir = join(dbPath, '..');
  const base = `${dbPath.slice(dir.length + 1)}.clicks.journal`;
  return readdirSync(dir).filter((f) => f.startsWith(base) && statSync(join(dir, f)).size > 0);
}

async function untilReplayed(dbPath: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (journalBacklog(dbPath).length > 0) {
    if (Date.now() > deadline) throw new Error(`journal not replayed within ${timeoutMs / 1000} s`);
    await sleep(50);
  }
}

export async function durabilityPart(): Promise<PartResult> {
  const dataDir = join(ROOT, 'bench/.data');
  mkdirSync(dataDir, { recursive: true });
  const dbName = `durability-${Date.now()}.db`;
  const dbPath = join(dataDir, dbName);
  const env = {
    DATABASE_URL: `file:bench/.data/${dbName}`,
    AFFLUX_ADMIN_KEY: `afx_admin_${randomBytes(24).toString('base64url')}`,
    AFFLUX_SECRET: randomBytes(32).toString('hex'),
  };
  const servers: Server[] = [];
  const start = async (name: string) => {
    const s = await startServer(name, 'src/server.ts', env);
    servers.push(s);
    await waitReady(s, '/healthz', 200, 90_000);
    return s;
  };
  try {
    const first = await start('server');
    const fx = await setupLink(first.base, env.AFFLUX_ADMIN_KEY);
    const url = `${first.base}/${fx.slug}`;

    // 1. kill -9 mid-burst while another connection holds the write lock
    const lock = new Database(dbPath);
    lock.exec('BEGIN IMMEDIATE');
    log(`kill -9: ${BURST_S} s burst with the database locked`);
    const burst = redirectLoad(url, CONNECTIONS);
    const burstStart = Date.now();
    await sleep(BURST_S * 1000);
    const killedAt = Date.now();
    first.proc.kill('SIGKILL');
    await burst.stop();
    await first.stop();
    lock.exec('ROLLBACK');
    lock.close();
    // answers the client read after the kill were still sent by the server before it: they count
    const answered = burst.answers;
    const rate = answered.length / ((killedAt - burstStart) / 1000);

    const second = await start('restarted server');
    await untilReplayed(dbPath, 120_000);
    await sleep(500);
    const db = new Database(dbPath);
    const stored = new Set((db.prepare('SELECT id FROM clicks').all([]) as { id: string }[]).map((r) => r.id));
    const lost = answered.filter((a) => !stored.has(a.id));
    const lostOld = lost.filter((a) => a.at < killedAt - ALLOWANCE_MS);
    log(`kill -9: ${answered.length} answered at ${rate.toFixed(0)}/s, ${lost.length} lost (${lostOld.length} older than ${ALLOWANCE_MS} ms)`);

    // 2. a 200k-click journal left by an earlier run, replayed while redirects are served
    const template = db.prepare('SELECT program_num, link_num, partner_num FROM clicks LIMIT 1').get([]) as Record<string, number>;
    db.close();
    await second.stop();
    const lines: string[] = [];
    const t0 = Date.now() - 3_600_000;
    for (let i = 0; i < JOURNALED; i++) {
      lines.push(JSON.stringify({
        id: `bench-replay-${i}`, ts: t0 + i, programNum: template.program_num, linkNum: template.link_num,
        partnerNum: template.partner_num, bot: false, browser: 'Chrome', os: 'Windows', device: 'desktop',
        country: i % 3 ? 'DE' : null, referrerHost: null, subs: null, visitor: i % 20_000,
      }));
    }
    writeFileSync(`${dbPath}.clicks.journal.000001`, `${lines.join('\n')}\n`);
    log(`replay: ${JOURNALED} journaled clicks, ${REPLAY_CONNECTIONS} connections of redirects meanwhile`);
    const third = await start('server with a journal');
    const replayStart = Date.now();
    const during = redirectLoad(`${third.base}/${fx.slug}`, REPLAY_CONNECTIONS);
    await untilReplayed(dbPath, 120_000);
    const replayEnd = Date.now();
    await during.stop();
    const latencies = during.answers.filter((a) => a.at <= replayEnd).map((a) => a.latencyMs);
    const p99 = percentile(latencies, 99);
    log(`replay: ${((replayEnd - replayStart) / 1000).toFixed(1)} s, ${latencies.length} redirects, p99 ${p99.toFixed(1)} ms`);

    const allowance = rate * (ALLOWANCE_MS / 1000);
    const metrics = {
      kill9_answered_clicks: answered.length,
      kill9_burst_rate: round(rate, 0),
      kill9_allowance_clicks: round(allowance, 0),
      kill9_lost_clicks: lost.length,
      kill9_lost_older_than_100ms: lostOld.length,
      journal_replay_clicks: JOURNALED,
      journal_replay_s: round((replayEnd - replayStart) / 1000, 1),
      journal_replay_redirects: latencies.length,
      journal_replay_p50_ms: round(percentile(latencies, 50), 1),
      journal_replay_p99_ms: round(p99, 1),
      journal_replay_max_ms: round(latencies.reduce((a, b) => Math.max(a, b), 0), 1), // (a spread of 100k+ values overflows the stack)
    };
    const targets = {
      kill9_lost_clicks: lost.length <= allowance,
      journal_replay_p99_ms: latencies.length > 0 && p99 <= 20,
    };
    const table = [
      'durability (kill -9 with the database locked; redirects while a journal replays)',
      `kill -9   answered ${answered.length} at ${rate.toFixed(0)}/s  lost ${lost.length} (allowance ${allowance.toFixed(0)} = 100 ms)  older than 100 ms ${lostOld.length}`,
      `replay    ${JOURNALED} clicks in ${metrics.journal_replay_s} s  redirects ${latencies.length}  p50 ${metrics.journal_replay_p50_ms} ms  p99 ${metrics.journal_replay_p99_ms} ms  max ${metrics.journal_replay_max_ms} ms`,
    ].join('\n');
    const failures = during.errors() > 0 ? [`durability: ${during.errors()} redirect errors during the replay`] : [];
    return { metrics, targets, table, failures };
  } finally {
    for (const s of servers.reverse()) await s.stop();
    if (existsSync(dataDir)) for (const f of readdirSync(dataDir)) if (f.startsWith(dbName)) rmSync(join(dataDir, f), { force: true });
  }
}
