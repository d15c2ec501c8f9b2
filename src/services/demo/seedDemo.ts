import type { Client } from "@libsql/client";
import type { Db } from "../../db/client";
import { ClientClickStore, NativeClickStore, type ClickStore } from "../../db/queries/clicks";
import { insertVendor } from "../../db/queries/keys";
import { insertPartner } from "../../db/queries/partners";
import { entryTierId, insertProgram, insertRule, type ProgramRow } from "../../db/queries/programs";
import { insertTier } from "../../db/queries/tiers";
import { applyAction, vendorCommissions } from "../../db/queries/lifecycle";
import { createPayoutBatch, markPayoutPaid } from "../../db/queries/payouts";
import { getOrCreateSetting } from "../../db/queries/settings";
import { listCommissions } from "../../db/queries/commissions";
import { issueClickId } from "../../domain/clickId";
import { isBotAgent } from "../../domain/traffic";
import { createLink } from "../links/createLink";
import { settleProgram } from "../prm/settle";
import { recordConversion, type ConversionInput } from "../tracking/conversions";
import { refundConversion } from "../tracking/refunds";
import { enrichClick, type ClickRow } from "../tracking/clickEvent";

const DAY = 86_400_000;
const DAYS = 90;

const PARTNERS = [
  "Anna Reviews", "Ben's Deals", "Clara Codes", "Dev Weekly", "Eva Travels", "Finn Fitness", "Gina Gadgets", "Hugo Home", "Iris Ink", "Jonas Journal",
  "Kira Kitchen", "Leo Lifts", "Mia Makes", "Nora Nomad", "Omar Outdoors", "Pia Parenting", "Quinn Quick Tips", "Rosa Runs", "Sami Saves", "Tara Tech",
  "Uma Unboxed", "Vik Vlogs", "Wen Wellness", "Xavi Explains", "Yara Yoga",
];
const COUNTRIES: [string | null, number][] = [["US", 38], ["GB", 14], ["DE", 12], ["FR", 7], ["CA", 7], ["NL", 5], ["AU", 5], ["ES", 4], ["IT", 3], ["SE", 3], [null, 2]];
const AGENTS: [string, number][] = [
  ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36", 30],
  ["Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15", 12],
  ["Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1", 28],
  ["Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile Safari/537.36", 22],
  ["Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1", 5],
  ["Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0", 3],
];
const BOTS = ["Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "curl/8.5.0", "python-requests/2.31.0", "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)"];
const SUBS = ["newsletter", "youtube", "blog", "instagram", "podcast"];
const REFERRERS = ["https://www.youtube.com/", "https://www.instagram.com/", "https://news.example.net/", null, null];

/** A small seeded PRNG (mulberry32): the same demo every time. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface DemoOptions {
  db: Db;
  client: Client;
  /** the database file, when embedded: clicks then go through the native click store like the server's */
  filePath: string | null;
  secret: string;
  publicUrl: string;
  log: (line: string) => void;
  now?: number;
}

type Pending =
  | { kind: "conversion"; at: number; input: ConversionInput }
  | { kind: "refund"; at: number; orderId: string; amount: number | null };

/**
 * Seeds a demo account: a vendor, a program with tiers and rules, 25 partners and 90 days of
 * clicks (bots included) and conversions (postbacks, held pixel conversions, coupons, refunds),
 * written through the same paths as live traffic: clicks via the click store and its rollup,
 * conversions via recordConversion/refundConversion, then settles, approvals and payouts.
 */
export async function seedDemo(o: DemoOptions) {
  const started = Date.now();
  const now = o.now ?? Date.now();
  const start = Math.floor((now - DAYS * DAY) / DAY) * DAY;
  const rnd = prng(42);
  const pick = <T,>(items: [T, number][]) => {
    let r = rnd() * items.reduce((s, [, w]) => s + w, 0);
    for (const [v, w] of items) if ((r -= w) < 0) return v;
    return items[items.length - 1]![0];
  };
  const { db } = o;
  const vendor = await insertVendor(db, "Northwind Outdoor Co.", start);
  const { program, postbackKey, publicKey } = await insertProgram(
    db,
    { vendorId: vendor.id, name: "Northwind Partners", currency: "USD", cookieDays: 30, attribution: "last_click", holdDays: 14, allowedDomains: ["shop.example.com", ".example.com"], clickParam: "afx_click", minPayout: 5000 },
    start,
  );
  await getOrCreateSetting(db, `public_key:${program.id}`, () => publicKey);
  const silver = await insertTier(db, { programId: program.id, name: "Silver", rank: 1, metric: "revenue", threshold: 150_000, windowDays: 90, createdAt: start });
  const gold = await insertTier(db, { programId: program.id, name: "Gold", rank: 2, metric: "revenue", threshold: 600_000, windowDays: 90, createdAt: start });
  await insertRule(db, { programId: program.id, tierId: null, event: "sale", type: "percent", value: 100_000, createdAt: start });
  await insertRule(db, { programId: program.id, tierId: silver.id, event: "sale", type: "percent", value: 125_000, createdAt: start });
  await insertRule(db, { programId: program.id, tierId: gold.id, event: "sale", type: "percent", value: 150_000, createdAt: start });
  await insertRule(db, { programId: program.id, tierId: null, event: "lead", type: "flat", value: 150, createdAt: start });
  o.log(`vendor and program created (tiers Entry, Silver, Gold; 10/12.5/15% of sales, 1.50 per lead)`);

  const entry = await entryTierId(db, program.id);
  const partners: { id: string; num: number; name: string; key: string; weight: number; cr: number; coupon: string | null; links: { num: number; slug: string }[] }[] = [];
  for (const [i, name] of PARTNERS.entries()) {
    const coupon = i % 3 === 0 ? name.split(/[^A-Za-z]/)[0]!.toUpperCase() + "10" : null;
    const joined = start + Math.floor(i * 0.8) * DAY;
    const { partner, apiKey } = await insertPartner(db, { vendorId: vendor.id, programId: program.id, name, email: `${name.toLowerCase().replace(/[^a-z]+/g, ".").replace(/\.$/, "")}@example.com`, coupon, tierId: entry }, joined);
    const links = [];
    for (let l = 0; l < 1 + (i % 3); l++) {
      const made = await createLink(db, program, { partnerId: partner.id, destination: `https://shop.example.com/${["", "tents", "jackets", "boots"][l] ?? ""}`, allowDeepLinks: l === 0 }, joined, { kind: "system" });
      if (made.kind === "created") links.push({ num: made.link.num, slug: made.link.slug });
    }
    partners.push({ id: partner.id, num: partner.num, name, key: apiKey, weight: (1 / (i + 1) ** 0.85) * (0.6 + rnd() * 0.8), cr: 0.012 + rnd() * 0.03, coupon, links });
  }
  o.log(`25 partners with ${partners.reduce((s, p) => s + p.links.length, 0)} links created`);

  const store: ClickStore = o.filePath ? new NativeClickStore(o.filePath, 5000) : new ClientClickStore(o.client);
  const deps = (at: number) => ({ db, secret: o.secret, now: () => at });
  const pending: Pending[] = [];
  let clicks = 0;
  let bots = 0;
  let conversions = 0;
  let refunds = 0;
  let order = 1000;
  const visitors = Array.from({ length: 300 }, (_, i) => `198.51.${(i >> 8) & 255}.${i & 255}`);
  const weights = partners.map((p, i) => [i, p.weight] as [number, number]);

  const drain = async (until: number) => {
    pending.sort((a, b) => a.at - b.at);
    while (pending.length && pending[0]!.at < until) {
      const p = pending.shift()!;
      if (p.kind === "conversion") {
        await recordConversion(deps(p.at + 60_000), program as ProgramRow, p.input);
        conversions++;
      } else {
        await refundConversion(deps(p.at), program.id, program.num, { orderId: p.orderId, event: "sale", amount: p.amount });
        refunds++;
      }
    }
  };

  try {
    for (let d = 0; d < DAYS; d++) {
      const dayStart = start + d * DAY;
      const weekday = new Date(dayStart).getUTCDay();
      const volume = Math.round(420 * (1 + (d / DAYS) * 0.7) * (weekday === 0 || weekday === 6 ? 1.25 : 1) * (0.85 + rnd() * 0.3));
      const rows: ClickRow[] = [];
      for (let k = 0; k < volume; k++) {
        const pi = pick(weights);
        const partner = partners[pi]!;
        const link = partner.links[Math.floor(rnd() * partner.links.length)]!;
        const bot = rnd() < 0.06;
        const ts = Math.min(dayStart + Math.floor(rnd() * DAY), now - 1000);
        const ua = bot ? BOTS[Math.floor(rnd() * BOTS.length)]! : pick(AGENTS);
        const id = issueClickId({ programNum: program.num, linkNum: link.num, partnerNum: partner.num, ts, bot: bot && isBotAgent(ua) }, o.secret);
        const sub = rnd() < 0.35 ? SUBS[(pi + Math.floor(rnd() * 2)) % SUBS.length]! : null;
        rows.push(enrichClick({
          id, ts, programNum: program.num, linkNum: link.num, partnerNum: partner.num, bot: bot && isBotAgent(ua), userAgent: ua,
          ip: visitors[Math.floor(rnd() * visitors.length)]!, referer: REFERRERS[Math.floor(rnd() * REFERRERS.length)]!, country: pick(COUNTRIES),
          subs: sub ? [sub, null, null, null, null] : null,
        }, o.secret));
        if (bot) bots++;
        else clicks++;
        if (!bot && rnd() < partner.cr) {
          const at = ts + Math.floor(-Math.log(1 - rnd()) * 3 * 3_600_000);
          if (at >= now - 5 * 60_000) continue;
          const lead = rnd() < 0.1;
          const amount = lead ? 0 : Math.round(Math.exp(Math.log(6500) + (rnd() + rnd() + rnd() - 1.5) * 0.9));
          const orderId = `ord_${++order}`;
          pending.push({ kind: "conversion", at, input: { orderId, event: lead ? "lead" : "sale", amount, currency: "USD", clickId: id, customerId: rnd() < 0.4 ? `cus_${Math.floor(rnd() * 5000)}` : null, coupon: null, occurredAt: at, source: rnd() < 0.12 ? "pixel" : "postback" } });
          if (!lead && rnd() < 0.06) {
            const refundAt = at + (2 + Math.floor(rnd() * 18)) * DAY;
            if (refundAt < now) pending.push({ kind: "refund", at: refundAt, orderId, amount: rnd() < 0.3 ? Math.round(amount / 2) : null });
          }
        }
      }
      // coupon-only and unattributable orders, a few a day
      for (let k = 0; k < 3; k++) {
        const at = dayStart + Math.floor(rnd() * DAY);
        if (at >= now - 5 * 60_000) continue;
        const withCoupon = partners.filter((p) => p.coupon);
        const p = withCoupon[Math.floor(rnd() * withCoupon.length)]!;
        const unknown = k === 2;
        pending.push({ kind: "conversion", at, input: { orderId: `ord_${++order}`, event: "sale", amount: 3000 + Math.floor(rnd() * 9000), currency: "USD", clickId: null, customerId: null, coupon: unknown ? (rnd() < 0.5 ? "SPRING25" : null) : p.coupon, occurredAt: at, source: "postback" } });
      }
      await store.insert(rows);
      await drain(dayStart + DAY);
      if (d % 7 === 6) await settleProgram(db, program.id, dayStart + DAY);
      if (d === 45 || d === 75) await createPayoutBatch(db, program, dayStart + DAY - 3_600_000);
      if (d === 50) {
        for (const p of (await db.query.payouts.findMany()).filter((x) => x.status === "pending")) await markPayoutPaid(db, p.id, dayStart + DAY);
      }
      if (d % 10 === 9 || d === DAYS - 1) o.log(`day ${String(d + 1).padStart(2)}/${DAYS}: ${clicks} clicks (+${bots} bots), ${conversions} conversions, ${refunds} refunds`);
    }
    await drain(now);
    o.log("rolling up clicks into the reports…");
    await store.rollup();
  } finally {
    store.close();
  }

  // Managers reviewed most held pixel conversions older than a week: approve most, reject some.
  const old = [];
  for (let cursor: string | null = null, i = 0; i < 50; i++) {
    const held: Awaited<ReturnType<typeof listCommissions>> = await listCommissions(db, { programId: program.id, status: "hold" }, { limit: 100, cursor });
    old.push(...held.data.filter((h) => h.createdAt < now - 7 * DAY));
    if (!(cursor = held.nextCursor)) break;
  }
  for (let i = 0; i < 50 && old.length; i++) {
    const batch = old.splice(0, 100);
    const rows = await vendorCommissions(db, vendor.id, batch.map((b) => b.id));
    await applyAction(db, rows.filter((_, j) => j % 8 !== 0), "approve", now - DAY);
    await applyAction(db, rows.filter((_, j) => j % 8 === 0), "reject", now - DAY);
  }
  const settled = await settleProgram(db, program.id, now);
  o.log(`settled: ${settled.approved} commissions approved, ${settled.tierChanges} tier changes`);
  o.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s: ${clicks} clicks, ${bots} bot clicks, ${conversions} conversions, ${refunds} refunds`);
  o.log("");
  o.log(`vendor admin key (manager dashboard): ${vendor.apiKey}`);
  o.log(`program ${program.id}  postback key: ${postbackKey}  public key: ${publicKey}`);
  for (const p of partners.slice(0, 3)) o.log(`partner ${p.name.padEnd(14)} key: ${p.key}  link: ${o.publicUrl}/${p.links[0]?.slug}`);
  o.log("");
  o.log(`start the server (npm start) and open ${o.publicUrl}/app (vendor key) or ${o.publicUrl}/portal (a partner key)`);
  return { vendorKey: vendor.apiKey, programId: program.id, postbackKey, publicKey, partnerKeys: partners.map((p) => p.key) };
}
