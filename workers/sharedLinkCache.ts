import type { Client, InStatement, ResultSet } from "@libsql/client/web";
import type { Db } from "../src/db/client";
import { drizzleOver } from "../src/db/remote";
import { LinkCache } from "../src/http/tracking/linkCache";

/**
 * How long a slug lookup is shared through the Cache API (per data centre). With the in-isolate
 * LinkCache's own 2 s TTL on top, an archived link stops redirecting everywhere within ~4 s:
 * the contract allows 5.
 */
export const SHARED_TTL_S = 2;
const ISOLATE_TTL_MS = 2_000;
const KEY_BASE = "https://link-cache.afflux.internal/slug/";

interface CachedResult {
  columns: string[];
  columnTypes: string[];
  rows: unknown[][];
}

/**
 * A read-only libSQL client for slug lookups that answers from the Cache API when it can:
 * an isolate that starts cold (or whose entry expired) reads what another isolate in the same
 * data centre fetched, instead of a round trip to the database. It caches only what goes
 * through it: the LinkCache's `resolveSlug` reads, keyed by their single slug argument.
 */
class CacheApiClient {
  /** Cache API work (puts, deletes) that must outlive the response: drained into ctx.waitUntil */
  readonly pending: Promise<unknown>[] = [];

  constructor(private readonly inner: Client, private readonly cache: Cache | null) {}

  async execute(stmt: InStatement): Promise<ResultSet> {
    const args = typeof stmt === "string" ? [] : (stmt.args as unknown[]);
    const slug = Array.isArray(args) && typeof args[0] === "string" ? args[0] : null;
    if (!this.cache || slug === null) return this.inner.execute(stmt);
    const key = KEY_BASE + encodeURIComponent(slug);
    const hit = await this.cache.match(key).catch(() => undefined);
    if (hit) return toResultSet((await hit.json()) as CachedResult);
    const rs = await this.inner.execute(stmt);
    const body: CachedResult = { columns: rs.columns, columnTypes: rs.columnTypes, rows: rs.rows.map((r) => rs.columns.map((_, i) => r[i])) };
    const response = new Response(JSON.stringify(body), { headers: { "content-type": "application/json", "cache-control": `max-age=${SHARED_TTL_S}` } });
    this.pending.push(this.cache.put(key, response).catch(() => {}));
    return rs;
  }

  forget(slug: string): void {
    if (this.cache) this.pending.push(this.cache.delete(KEY_BASE + encodeURIComponent(slug)).catch(() => false));
  }
}

function toResultSet(c: CachedResult): ResultSet {
  const rows = c.rows.map((values) => {
    const row: Record<string | number, unknown> = {};
    Object.defineProperty(row, "length", { value: values.length });
    values.forEach((v, i) => {
      row[i] = v;
      const name = c.columns[i]!;
      if (!(name in row)) row[name] = v;
    });
    return row;
  });
  return { columns: c.columns, columnTypes: c.columnTypes, rows, rowsAffected: 0, lastInsertRowid: undefined, toJSON: () => c } as unknown as ResultSet;
}

/**
 * The Worker's link cache: the same in-isolate LinkCache as the Node server (bounded, 2 s), read
 * through the Cache API, then libSQL. A link changed through this isolate's API is forgotten here
 * and in this data centre's Cache API; elsewhere both TTLs bound the staleness.
 */
export class EdgeLinkCache extends LinkCache {
  private constructor(db: Db, private readonly shared: CacheApiClient) {
    super(db, { ttlMs: ISOLATE_TTL_MS, maxEntries: 10_000 });
  }

  static create(client: Client, cache: Cache | null): EdgeLinkCache {
    const shared = new CacheApiClient(client, cache);
    return new EdgeLinkCache(drizzleOver(shared as unknown as Client), shared);
  }

  override invalidate(slug: string): void {
    super.invalidate(slug);
    this.shared.forget(slug);
  }

  /** Cache API writes started by lookups and invalidations, for ctx.waitUntil. */
  drain(): Promise<unknown> | null {
    if (this.shared.pending.length === 0) return null;
    return Promise.allSettled(this.shared.pending.splice(0));
  }
}
