// What an account is, for deal registration: a normalised domain, or the whole e-mail at
// free-mail and disposable domains. Apart from the deal rules because its lists are large
// (about 2.7 MB): only the registration service imports it, never the tracking path.
import { domainToASCII } from "node:url";
import freeEmailDomains from "free-email-domains";
import disposableEmailDomains from "disposable-email-domains";

/** Free-mail and disposable domains: an address there says nothing about the company behind it. */
const PERSONAL_DOMAINS: ReadonlySet<string> = new Set([...freeEmailDomains, ...disposableEmailDomains].map((d) => d.toLowerCase()));

const LDH_HOST = /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)+$/;

/**
 * A domain as an account: lower-case, IDNA to punycode, without scheme, path, port, trailing dot
 * and a leading `www.`. Null when it is not a dotted hostname. `Bücher.Example:443` and
 * `https://www.xn--bcher-kva.example/` give the same key.
 */
export function normalizeDomain(input: string): string | null {
  let h = input.trim();
  h = h.replace(/^[a-z][a-z0-9+.-]*:\/\//i, ""); // scheme
  h = h.replace(/[/?#].*$/s, ""); // path, query, fragment
  h = h.replace(/^[^@]*@/, ""); // userinfo
  h = h.replace(/:\d*$/, ""); // port
  h = h.replace(/\.$/, "");
  if (!h || /[\s\\]/.test(h)) return null;
  const ascii = domainToASCII(h);
  if (!ascii) return null;
  const host = ascii.replace(/\.$/, "").replace(/^www\./, "");
  return LDH_HOST.test(host) ? host : null;
}

/** Whether a normalised domain is a free-mail or disposable one. */
export const isPersonalDomain = (domain: string): boolean => PERSONAL_DOMAINS.has(domain);

export type AccountKey = { ok: true; account: string } | { ok: false; field: "domain" | "contactEmail"; message: string };

/**
 * The account key of a deal: its `domain` normalised, or else the domain of `contactEmail`,
 * except at free-mail and disposable domains, where the whole lower-cased email is the key
 * (two people at gmail.com are not one company).
 */
export function accountKey(input: { domain?: string | null; contactEmail: string }): AccountKey {
  if (input.domain !== undefined && input.domain !== null && input.domain.trim() !== "") {
    const d = normalizeDomain(input.domain);
    if (!d) return { ok: false, field: "domain", message: `"${input.domain}" is not a domain name` };
    return { ok: true, account: d };
  }
  const email = input.contactEmail.trim();
  const at = email.lastIndexOf("@");
  const domain = at > 0 ? normalizeDomain(email.slice(at + 1)) : null;
  if (!domain || /[\s@]/.test(email.slice(0, at))) return { ok: false, field: "contactEmail", message: "must be an email address" };
  if (isPersonalDomain(domain)) return { ok: true, account: `${email.slice(0, at).toLowerCase()}@${domain}` };
  return { ok: true, account: domain };
}
