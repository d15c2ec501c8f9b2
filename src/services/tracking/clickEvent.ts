import { describeUserAgent, referrerHost, visitorHash } from "../../domain/traffic";

/** What the redirect hands to the click sink: raw request facts, cheap to capture. */
export interface ClickEvent {
  id: string;
  ts: number;
  programNum: number;
  linkNum: number;
  partnerNum: number;
  bot: boolean;
  userAgent: string;
  /** client IP; held only in memory until the click is enriched, never stored */
  ip: string;
  referer: string | null;
  country: string | null;
  /** sub1…sub5, or null when the request had none */
  subs: (string | null)[] | null;
}

/** A click as stored: derived fields instead of the raw IP and user agent. */
export interface ClickRow {
  id: string;
  ts: number;
  programNum: number;
  linkNum: number;
  partnerNum: number;
  bot: boolean;
  browser: string | null;
  os: string | null;
  device: string;
  country: string | null;
  referrerHost: string | null;
  subs: (string | null)[] | null;
  visitor: number;
}

const MAX_SUB_LENGTH = 255;

/** Reads sub1…sub5 from a query string; null when none is present (the common case). */
export function readSubIds(params: URLSearchParams): (string | null)[] | null {
  let subs: (string | null)[] | null = null;
  for (let i = 1; i <= 5; i++) {
    const value = params.get(`sub${i}`);
    if (value === null || value === "") continue;
    subs ??= [null, null, null, null, null];
    subs[i - 1] = value.slice(0, MAX_SUB_LENGTH);
  }
  return subs;
}

/** Done per batch, off the redirect path: user agent parsing, referrer host, visitor hash. */
export function enrichClick(event: ClickEvent, secret: string): ClickRow {
  const ua = describeUserAgent(event.userAgent, event.bot);
  return {
    id: event.id,
    ts: event.ts,
    programNum: event.programNum,
    linkNum: event.linkNum,
    partnerNum: event.partnerNum,
    bot: event.bot,
    browser: ua.browser,
    os: ua.os,
    device: ua.device,
    country: event.country,
    referrerHost: referrerHost(event.referer),
    subs: event.subs,
    visitor: visitorHash(secret, event.ip, event.userAgent, event.ts),
  };
}
