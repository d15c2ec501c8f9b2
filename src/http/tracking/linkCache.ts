import { compileDestination, type CompiledDestination } from "../../domain/urlSafety";
import type { Db } from "../../db/client";
import { resolveSlug } from "../../db/queries/links";

/** What a redirect needs about a link, precomputed once per cache fill. */
export interface CachedLink {
  linkNum: number;
  partnerNum: number;
  programNum: number;
  destination: CompiledDestination;
  allowDeepLinks: boolean;
  allowedDomains: readonly string[];
  clickParam: string;
  /** `Max-Age` of the click cookie, in seconds */
  cookieMaxAge: number;
}

interface Entry {
  link: CachedLink | null;
  expiresAt: number;
}

export interface LinkCacheOptions {
  /** entries are re-read after this long: bounds how stale another process's view can be */
  ttlMs?: number;
  maxEntries?: number;
  now?: () => number;
}

/**
 * Bounded, short-lived cache of slug → link, so that redirects of popular links read nothing.
 * Unknown and archived slugs are cached too (as null), so floods of bad slugs cost no reads.
 * Eviction is oldest-filled first (Map insertion order): with a TTL of seconds every entry is
 * refilled often anyway, so LRU bookkeeping on each hit would cost the hot path for nothing.
 */
export class LinkCache {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<CachedLink | null>>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(private readonly db: Db, opts: LinkCacheOptions = {}) {
    this.ttlMs = opts.ttlMs ?? 2000;
    this.maxEntries = opts.maxEntries ?? 10_000;
    this.now = opts.now ?? Date.now;
  }

  /** The cached link when fresh (hot path, synchronous), else undefined. */
  peek(slug: string): CachedLink | null | undefined {
    const entry = this.entries.get(slug);
    if (!entry || entry.expiresAt < this.now()) return undefined;
    return entry.link;
  }

  async get(slug: string): Promise<CachedLink | null> {
    const hit = this.peek(slug);
    if (hit !== undefined) return hit;
    let pending = this.loading.get(slug);
    if (!pending) {
      pending = this.load(slug).finally(() => this.loading.delete(slug));
      this.loading.set(slug, pending);
    }
    return pending;
  }

  /** Called when a link changes in this process; other processes catch up within the TTL. */
  invalidate(slug: string): void {
    this.entries.delete(slug);
  }

  /** Called when a program changes (its domains, window): every cached link is re-read. */
  clear(): void {
    this.entries.clear();
  }

  private async load(slug: string): Promise<CachedLink | null> {
    const row = await resolveSlug(this.db, slug);
    const link: CachedLink | null =
      row && !row.archived
        ? {
            linkNum: row.linkNum, partnerNum: row.partnerNum, programNum: row.programNum,
            destination: compileDestination(row.destination), allowDeepLinks: row.allowDeepLinks,
            allowedDomains: row.allowedDomains, clickParam: row.clickParam, cookieMaxAge: row.cookieDays * 86_400,
          }
        : null;
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(slug, { link, expiresAt: this.now() + this.ttlMs });
    return link;
  }
}
