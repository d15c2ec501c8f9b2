import { lookup } from "node:dns/promises";
import { guardedFetch } from "./guardedFetch";
import type { TargetPolicy } from "./targets";

/** Node's resolver for webhook targets: every address the system's resolver gives for a name. */
export const nodeResolve = async (hostname: string): Promise<string[]> =>
  (await lookup(hostname, { all: true, verbatim: true })).map((a) => a.address);

/** The target policy of the Node server: the system's resolver, checked again as each request connects. */
export function nodeTargetPolicy(allowPrivate: boolean): TargetPolicy {
  const policy: TargetPolicy = { allowPrivate, resolve: nodeResolve };
  return { ...policy, fetch: guardedFetch(policy) };
}
