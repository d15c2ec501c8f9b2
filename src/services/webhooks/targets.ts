import { checkResolved, checkTargetUrl } from "../../domain/webhookTargets";

/**
 * How the runtime checks a webhook or postback target: the configuration's allowance and, where
 * the runtime can resolve names (Node: node:dns/promises), the resolver. On Workers there is no
 * DNS API: only literal addresses and `localhost` are refused there, and the platform's own
 * egress rules keep a name that resolves to a private address from reaching one.
 */
export interface TargetPolicy {
  /** AFFLUX_WEBHOOK_ALLOW_PRIVATE=1: http and private addresses allowed (local receivers) */
  allowPrivate: boolean;
  /** every address a host name resolves to */
  resolve?: ((hostname: string) => Promise<string[]>) | undefined;
  /**
   * the fetch that sends to targets: on Node one that checks a name's addresses as it connects and
   * connects to those (./guardedFetch.ts), else the global fetch (which resolves the name again
   * after checkTarget did: a rebinding DNS server could answer a private address the second time)
   */
  fetch?: typeof fetch | undefined;
}

export type TargetVerdict = { ok: true; url: URL } | { ok: false; reason: string };

/** The URL is a target we may send to now: its own rules, then (with a resolver) its DNS answers. */
export async function checkTarget(text: string, policy: TargetPolicy): Promise<TargetVerdict> {
  const checked = checkTargetUrl(text, policy.allowPrivate);
  if (!checked.ok) return checked;
  if (checked.literal || policy.allowPrivate || !policy.resolve) return { ok: true, url: checked.url };
  let addresses: string[];
  try {
    addresses = await policy.resolve(checked.url.hostname);
  } catch (err) {
    return { ok: false, reason: `the host ${checked.url.hostname} does not resolve (${(err as { code?: string }).code ?? "error"})` };
  }
  const resolved = checkResolved(checked.url.hostname, addresses, policy.allowPrivate);
  return resolved.ok ? { ok: true, url: checked.url } : resolved;
}
