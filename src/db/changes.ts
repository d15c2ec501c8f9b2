/**
 * A counter of this process's writes to what the read caches hold (programs, partners, links,
 * rules, tiers, keys). Every query that writes those tables calls `tablesChanged()`; a cache
 * entry filled under an older count is stale. Other processes (more Node servers, Worker
 * isolates) don't see this counter: for them the caches' short TTL bounds how stale a read is.
 */
let generation = 0;

export const tablesChanged = (): void => void generation++;
export const cacheGeneration = (): number => generation;
