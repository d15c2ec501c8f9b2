import type { Client, InStatement } from "@libsql/client";
import Native from "libsql";
import { CheckpointWorker } from "../checkpoints";

type NativeDb = InstanceType<typeof Native>;
type NativeStatement = ReturnType<NativeDb["prepare"]>;
import type { ClickRow } from "../../services/tracking/clickEvent";
import { clickStatsStatements, foldTargets } from "./stats";

const COLUMNS = [
  "id", "ts", "program_num", "link_num", "partner_num", "bot", "browser", "os", "device",
  "country", "referrer_host", "visitor",
] as const;
const SUB_COLUMNS = ["sub1", "sub2", "sub3", "sub4", "sub5"] as const;
/** Rows per INSERT statement: 17 × 100 parameters stays far below SQLite's limit of 32766. */
export const ROWS_PER_STATEMENT = 100;

/**
 * Most clicks carry no sub ids: their rows leave the five sub columns out (NULL by default)
 * rather than binding five NULLs each, which costs about 1 µs per row in the native driver.
 */
function insertSql(rows: number, withSubs: boolean): string {
  const columns = withSubs ? [...COLUMNS, ...SUB_COLUMNS] : COLUMNS;
  const placeholders = `(${columns.map(() => "?").join(",")})`;
  // Idempotent by click id: a batch written twice (retry, journal replay, queue redelivery)
  // stores each click once.
  return `INSERT INTO clicks (${columns.join(",")}) VALUES ${Array(rows).fill(placeholders).join(",")} ON CONFLICT(id) DO NOTHING`;
}

const hasSubs = (rows: readonly ClickRow[]): boolean => rows.some((r) => r.subs !== null && r.subs !== undefined);

function pushArgs(args: unknown[], r: ClickRow, withSubs: boolean): void {
  args.push(
    r.id, r.ts, r.programNum, r.linkNum, r.partnerNum, r.bot ? 1 : 0, r.browser, r.os, r.device,
    r.country, r.referrerHost, r.visitor,
  );
  if (withSubs) {
    const s = r.subs;
    args.push(s?.[0] ?? null, s?.[1] ?? null, s?.[2] ?? null, s?.[3] ?? null, s?.[4] ?? null);
  }
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Where the click sink writes batches. Throws when the database is unavailable. */
export interface ClickStore {
  insert(rows: readonly ClickRow[]): Promise<void>;
  /** folds newly stored clicks into rollups and link counts; returns clicks folded */
  rollup(): Promise<number>;
  close(): void;
}

/** Clicks folded per rollup transaction: small enough to keep each synchronous step short. */
const ROLLUP_CHUNK = 5_000;
const FROM = `(SELECT value FROM cursors WHERE name = 'clicks')`;
const RANGE = `seq > ${FROM} AND seq <= ${FROM} + ${ROLLUP_CHUNK}`;

/**
 * Set-based rollup of the clicks after the cursor, in one write transaction. A visitor's first
 * click on a link and day (lowest seq) is its unique click; later batches see it in link_visitors.
 */
const ROLLUP_STATEMENTS = [
  `INSERT OR IGNORE INTO cursors (name, value) VALUES ('clicks', 0)`,
  `INSERT INTO link_visitors (link_num, day, visitor, first_seq, clicks)
     SELECT link_num, ts / 86400000, visitor, min(seq), count(*) FROM clicks
     WHERE ${RANGE} AND bot = 0 GROUP BY link_num, ts / 86400000, visitor
     ON CONFLICT (link_num, day, visitor) DO UPDATE SET clicks = clicks + excluded.clicks`,
  ...clickStatsStatements(RANGE.replaceAll("seq", "c.seq")),
  `INSERT INTO link_click_counts (link_num, clicks, bot_clicks)
     SELECT link_num, sum(1 - bot), sum(bot) FROM clicks WHERE ${RANGE} GROUP BY link_num
     ON CONFLICT (link_num) DO UPDATE SET clicks = clicks + excluded.clicks, bot_clicks = bot_clicks + excluded.bot_clicks`,
  `UPDATE cursors SET value = max(value, min(value + ${ROLLUP_CHUNK}, (SELECT coalesce(max(seq), 0) FROM clicks)))
     WHERE name = 'clicks'`,
];

/**
 * The same rollup for the native store, reading the new clicks once: they are first grouped by
 * every report dimension into a temp table (with the unique-visitor test done once per click),
 * and link counts and all daily_stats dimensions are folded from that small table. With one scan
 * per dimension over the raw clicks, the rollup cost about as much as inserting the clicks.
 * Must produce exactly what ROLLUP_STATEMENTS produce (test/durability/rollup.test.ts).
 */
const FOLD_DIMENSIONS: [dim: string, key: string][] = [
  ["total", "''"], ["link", "CAST(link_num AS TEXT)"], ["country", "country"], ["device", "device"], ["sub1", "sub1"],
];
const FOLD_STATEMENTS = [
  ROLLUP_STATEMENTS[0]!,
  ROLLUP_STATEMENTS[1]!,
  `DELETE FROM temp.click_fold`,
  `INSERT INTO temp.click_fold
     SELECT c.program_num, c.ts / 86400000, c.link_num, c.partner_num, coalesce(c.country, ''), c.device, coalesce(c.sub1, ''),
       sum(1 - c.bot),
       sum(EXISTS (SELECT 1 FROM link_visitors v WHERE v.link_num = c.link_num AND v.day = c.ts / 86400000
                   AND v.visitor = c.visitor AND v.first_seq = c.seq)),
       sum(c.bot)
     FROM clicks c WHERE ${RANGE.replaceAll("seq", "c.seq")}
     GROUP BY 1, 2, 3, 4, 5, 6, 7`,
  ...foldTargets(FOLD_DIMENSIONS, "partner_num").map(({ dim, key, partner, groupBy }) => `INSERT INTO daily_stats (program_num, dim, day, partner_num, key, clicks, unique_clicks, bot_clicks)
     SELECT program_num, '${dim}', day, ${partner}, ${key}, sum(clicks), sum(unique_clicks), sum(bot_clicks)
     FROM temp.click_fold GROUP BY program_num, day, ${groupBy}
     ON CONFLICT (program_num, dim, day, partner_num, key) DO UPDATE SET
       clicks = clicks + excluded.clicks, unique_clicks = unique_clicks + excluded.unique_clicks, bot_clicks = bot_clicks + excluded.bot_clicks`),
  `INSERT INTO link_click_counts (link_num, clicks, bot_clicks)
     SELECT link_num, sum(clicks), sum(bot_clicks) FROM temp.click_fold GROUP BY link_num
     ON CONFLICT (link_num) DO UPDATE SET clicks = clicks + excluded.clicks, bot_clicks = bot_clicks + excluded.bot_clicks`,
  ROLLUP_STATEMENTS[ROLLUP_STATEMENTS.length - 1]!,
];
const CREATE_FOLD_TABLE = `CREATE TEMP TABLE IF NOT EXISTS click_fold (program_num INTEGER, day INTEGER, link_num INTEGER,
  partner_num INTEGER, country TEXT, device TEXT, sub1 TEXT, clicks INTEGER, unique_clicks INTEGER, bot_clicks INTEGER)`;
const CURSOR_LAG = `SELECT (SELECT coalesce(max(seq), 0) FROM clicks) - (SELECT coalesce(max(value), 0) FROM cursors WHERE name = 'clicks') AS lag`;

/** Click store over @libsql/client: works for `:memory:`, files and remote libSQL (Turso, sqld). */
export class ClientClickStore implements ClickStore {
  constructor(private readonly client: Client) {}

  async insert(rows: readonly ClickRow[]): Promise<void> {
    if (rows.length === 0) return;
    const statements: InStatement[] = chunks(rows, ROWS_PER_STATEMENT).map((chunk) => {
      const withSubs = hasSubs(chunk);
      const args: unknown[] = [];
      for (const r of chunk) pushArgs(args, r, withSubs);
      return { sql: insertSql(chunk.length, withSubs), args: args as (string | number | null)[] };
    });
    await this.client.batch(statements, "write");
  }

  async rollup(): Promise<number> {
    let total = 0;
    for (;;) {
      const before = Number((await this.client.execute(CURSOR_LAG)).rows[0]?.lag ?? 0);
      if (before <= 0) return total;
      await this.client.batch(ROLLUP_STATEMENTS, "write");
      total += Math.min(before, ROLLUP_CHUNK);
    }
  }

  close(): void {}
}

/**
 * Click store over the synchronous `libsql` driver on the same file: prepared multi-row
 * statements cost about half of what @libsql/client batches do per row (measured), and the
 * click table is the one place where that matters.
 */
export class NativeClickStore implements ClickStore {
  private readonly db: NativeDb;
  /** prepared inserts by row count, without (index 0) and with (index 1) the sub columns */
  private readonly statements = [new Map<number, NativeStatement>(), new Map<number, NativeStatement>()] as const;
  private readonly rollupStatements: NativeStatement[];
  private readonly lagStatement: NativeStatement;
  private readonly checkpoints: CheckpointWorker;

  constructor(filePath: string, busyTimeoutMs = 200) {
    this.db = new Native(filePath);
    // A large page cache keeps the clicks table's growing id index in memory: with SQLite's
    // default 2 MB, inserts into a table of a few hundred thousand clicks start paying for reads.
    this.db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = ${busyTimeoutMs};
      PRAGMA cache_size = -65536; PRAGMA mmap_size = 268435456`);
    this.db.exec(`PRAGMA temp_store = MEMORY; ${CREATE_FOLD_TABLE}`);
    this.rollupStatements = FOLD_STATEMENTS.map((sql) => this.db.prepare(sql));
    this.lagStatement = this.db.prepare(CURSOR_LAG);
    // Checkpoints happen on the worker; should it fail, this connection checkpoints itself again.
    this.db.exec("PRAGMA wal_autocheckpoint = 0");
    this.checkpoints = new CheckpointWorker(filePath, () => this.db);
  }

  private statement(rows: number, withSubs: boolean): NativeStatement {
    const cache = this.statements[withSubs ? 1 : 0];
    let stmt = cache.get(rows);
    if (!stmt) {
      stmt = this.db.prepare(insertSql(rows, withSubs));
      cache.set(rows, stmt);
    }
    return stmt;
  }

  async insert(rows: readonly ClickRow[]): Promise<void> {
    if (rows.length === 0) return;
    this.transaction(() => {
      for (const chunk of chunks(rows, ROWS_PER_STATEMENT)) {
        const withSubs = hasSubs(chunk);
        const args: unknown[] = [];
        for (const r of chunk) pushArgs(args, r, withSubs);
        this.statement(chunk.length, withSubs).run(args);
      }
    });
    this.checkpoints.maybeRun();
  }

  async rollup(): Promise<number> {
    let total = 0;
    for (;;) {
      const lag = Number((this.lagStatement.get([]) as { lag: number } | undefined)?.lag ?? 0);
      if (lag <= 0) return total;
      this.transaction(() => {
        for (const stmt of this.rollupStatements) stmt.run([]);
      });
      total += Math.min(lag, ROLLUP_CHUNK);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  private transaction(work: () => void): void {
    this.db.exec("BEGIN IMMEDIATE");
    try {
      work();
      this.db.exec("COMMIT");
    } catch (err) {
      if (this.db.inTransaction) this.db.exec("ROLLBACK");
      throw err;
    }
  }

  close(): void {
    this.checkpoints.close();
    this.db.close();
  }
}
