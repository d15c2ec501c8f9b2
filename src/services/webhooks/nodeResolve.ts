import { lookup } from "node:dns/promises";

/** Node's resolver for webhook targets: every address the system's resolver gives for a name. */
export const nodeResolve = async (hostname: string): Promise<string[]> =>
  (await lookup(hostname, { all: true, verbatim: true })).map((a) => a.address);
