import type { Db } from "../../db/client";
import { cacheGeneration } from "../../db/changes";
import { hashApiKey } from "../../domain/ids";
import { findKeyScope, keyLive, type KeyScope } from "../../db/queries/keys";
import { linkByNums } from "../../db/queries/links";
import { getPartner } from "../../db/queries/partners";
import { getProgram, listRules, type ProgramRow, type RuleRow } from "../../db/queries/programs";

interface Entry<T> {
  value: T;
  generation: number;
  expiresAt: number;
}

export interface ReadCacheOptions {
  /** entries are re-read after this long: bounds how stale another process's view can be */
  ttlMs?: number;
  /** per kind of entry; beyond it the oldest are dropped */
  maxEntries?: number;
  now?: () => number;
}

/**
 * What every conversion reads and almost never changes: the key's scope, the program, the link
 * and partner behind a click id's numbers, the partner's tier and the program's rules. Read once,
 * then served from memory until this process writes one of those tables (see db/changes.ts) or
 * the TTL passes. Misses are not cached (an unknown key or a link created a moment ago must not
 * stay unknown); floods of bad keys are the rate limiter's job.
 */
export class ReadCache {
  private readonly maps = new Map<string, Map<string, Entry<unknown>>>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(private readonly db: Db, opts: ReadCacheOptions = {}) {
    this.ttlMs = opts.ttlMs ?? 2000;
    this.maxEntries = opts.maxEntries ?? 10_000;
    this.now = opts.now ?? Date.now;
  }

  /** held under the key's hash: raw keys are never kept; a rotated key stops at the end of its grace, cached or not */
  async keyScope(key: string, now: number, hash = hashApiKey(key)): Promise<KeyScope | null> {
    const scope = await this.read("key", hash, () => findKeyScope(this.db, key, now));
    return scope && keyLive(scope, now) ? scope : null;
  }

  program(id: string): Promise<ProgramRow | null> {
    return this.read("program", id, () => getProgram(this.db, id));
  }

  linkByNums(linkNum: number, partnerNum: number) {
    return this.read("link", `${linkNum}:${partnerNum}`, () => linkByNums(this.db, linkNum, partnerNum));
  }

  /** the partner's number, current tier, status (attribution) and e-mail (self-referral checks) */
  partner(id: string) {
    return this.read("partner", id, async () => {
      const p = await getPartner(this.db, id);
      return p ? { num: p.num, tierId: p.tierId, status: p.status, email: p.email } : null;
    });
  }

  async rules(programId: string): Promise<RuleRow[]> {
    return (await this.read("rules", programId, () => listRules(this.db, programId))) ?? [];
  }

  private async read<T>(kind: string, key: string, load: () => Promise<T | null>): Promise<T | null> {
    let map = this.maps.get(kind);
    if (!map) this.maps.set(kind, (map = new Map()));
    const now = this.now();
    const generation = cacheGeneration();
    const hit = map.get(key) as Entry<T> | undefined;
    if (hit && hit.generation === generation && hit.expiresAt > now) return hit.value;
    const value = await load();
    if (value === null) {
      map.delete(key);
      return null;
    }
    if (map.size >= this.maxEntries) map.delete(map.keys().next().value!);
    map.set(key, { value, generation, expiresAt: now + this.ttlMs });
    return value;
  }
}
