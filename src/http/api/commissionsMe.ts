import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { COMMISSION_STATUSES, FRAUD_FLAGS } from "../../db/schema";
import { listCommissions, partnerBalance } from "../../db/queries/commissions";
import { listLinks } from "../../db/queries/links";
import { getPartner } from "../../db/queries/partners";
import { getProgram } from "../../db/queries/programs";
import { createLink } from "../../services/links/createLink";
import { listPartnerPayouts, paidOut } from "../../db/queries/payouts";
import { listTiers, partnerMetrics } from "../../db/queries/tiers";
import { nextTierGap } from "../../domain/tiers";
import { tierJson } from "./tiers";
import { payoutJson } from "./payouts";
import { formatMoney } from "../../domain/money";
import type { AppEnv } from "../deps";
import { ApiError } from "../errors";
import { actorOf, requireCaller } from "../middleware/auth";
import { linkOutcome } from "./partnersLinks";
import { commissionJson, linkJson } from "./present";
import { createRouter } from "./router";
import { eachPage } from "../../db/queries/pagination";
import type { CommissionRow } from "../../db/queries/conversions";
import { csvNumber, csvStream, type CsvCell } from "../csv";
import { Commission, Cursor, errorResponses, jsonBody, jsonResponse, Link, listOf, Money } from "./schemas";

const CommissionQuery = Cursor.extend({
  programId: z.string().max(100).optional(), partnerId: z.string().max(100).optional(), status: z.enum(COMMISSION_STATUSES).optional(),
  flag: z.enum([...FRAUD_FLAGS, "any"]).optional().openapi({ description: "only commissions held for this fraud signal (any: for any)" }),
  format: z.enum(["json", "csv"]).default("json").openapi({ description: "csv: every matching commission (not one page), streamed" }),
});

const COMMISSION_CSV = ["id", "conversionId", "partnerId", "amount", "currency", "status", "createdAt", "availableAt"];
const commissionCsvRow = (m: CommissionRow): CsvCell[] => {
  const j = commissionJson(m);
  return [j.id, j.conversionId, j.partnerId, csvNumber(j.amount), j.currency, j.status, j.createdAt, j.availableAt];
};
const Me = z
  .object({
    id: z.string(), name: z.string(), programId: z.string(), tierId: z.string(), balance: z.object({ hold: Money, pending: Money, approved: Money, paid: Money }), currency: z.string(),
    tier: z.any(), nextTier: z.any(), postbackUrl: z.string().nullable().optional(),
  })
  .openapi("Me");

export async function mePartner(c: Context<AppEnv>) {
  const caller = await requireCaller(c, ["partner"]);
  const partner = await getPartner(c.var.deps.db, caller.partnerId!);
  const program = partner && (await getProgram(c.var.deps.db, partner.programId));
  if (!partner || !program) throw new ApiError("unauthorized", "the key's partner no longer exists");
  return { partner, program, actor: actorOf(caller) };
}

export function commissionMeRoutes() {
  const app = createRouter();

  app.openapi(
    createRoute({ method: "get", path: "/api/v1/commissions", tags: ["Commissions"], summary: "List commissions", request: { query: CommissionQuery }, responses: { 200: jsonResponse(listOf(Commission), "commissions, newest first"), ...errorResponses } }),
    async (c) => {
      const caller = await requireCaller(c, ["vendor"]);
      const q = c.req.valid("query");
      const filter = { vendorId: caller.vendorId, programId: q.programId, partnerId: q.partnerId, status: q.status, flag: q.flag };
      if (q.format === "csv") {
        const pages = eachPage((p) => listCommissions(c.var.deps.db, filter, p));
        return csvStream(COMMISSION_CSV, (async function* () { for await (const ms of pages) yield ms.map(commissionCsvRow); })(), "commissions.csv") as never;
      }
      const page = await listCommissions(c.var.deps.db, filter, { limit: q.limit, cursor: q.cursor ?? null });
      return c.json({ data: page.data.map(commissionJson), nextCursor: page.nextCursor }, 200);
    },
  );

  app.openapi(
    createRoute({ method: "get", path: "/api/v1/me", tags: ["Partner"], summary: "The calling partner and its balance", responses: { 200: jsonResponse(Me, "the partner"), ...errorResponses } }),
    async (c) => {
      const { partner, program } = await mePartner(c);
      const { db } = c.var.deps;
      const b = await partnerBalance(db, partner.id);
      const m = (v: number | bigint) => formatMoney(v, program.currency);
      const tiers = await listTiers(db, program.id);
      const tier = tiers.find((t) => t.id === partner.tierId);
      const metrics = (await partnerMetrics(db, program.id, tiers.map((t) => t.windowDays), c.var.deps.now())).get(partner.id) ?? { byWindow: new Map() };
      const gap = tier ? nextTierGap(tiers, tier.rank, metrics) : null;
      return c.json({
        id: partner.id, name: partner.name, programId: partner.programId, tierId: partner.tierId, currency: program.currency, postbackUrl: partner.postbackUrl,
        // `paid` is what paid payouts paid out (commissions plus adjustments)
        balance: { hold: m(b.hold), pending: m(b.pending), approved: m(b.approved), paid: m(await paidOut(db, partner.id)) },
        tier: tier ? tierJson(tier, program.currency) : null,
        nextTier: gap ? { ...tierJson(gap.tier, program.currency), missing: gap.tier.metric === "revenue" ? m(gap.missing) : String(gap.missing) } : null,
      }, 200);
    },
  );

  app.openapi(
    createRoute({ method: "get", path: "/api/v1/me/links", tags: ["Partner"], summary: "My links", request: { query: Cursor }, responses: { 200: jsonResponse(listOf(Link), "links, newest first"), ...errorResponses } }),
    async (c) => {
      const { partner, program } = await mePartner(c);
      const q = c.req.valid("query");
      const page = await listLinks(c.var.deps.db, { vendorId: program.vendorId, partnerId: partner.id }, { limit: q.limit, cursor: q.cursor ?? null });
      return c.json({ data: page.data.map((l) => linkJson(l, c.var.deps.publicUrl)), nextCursor: page.nextCursor }, 200);
    },
  );

  app.openapi(
    createRoute({ method: "post", path: "/api/v1/me/links", tags: ["Partner"], summary: "Create one of my links", request: { body: jsonBody(z.object({ destination: z.string().max(2048), slug: z.string().max(64).optional() }).openapi("MyLinkInput")) }, responses: { 201: jsonResponse(Link, "the link"), 409: jsonResponse(z.any(), "slug taken"), ...errorResponses } }),
    async (c) => {
      const { partner, program, actor } = await mePartner(c);
      const body = c.req.valid("json");
      const { deps } = c.var;
      return linkOutcome(c, await createLink(deps.db, program, { partnerId: partner.id, destination: body.destination, slug: body.slug, allowDeepLinks: false }, deps.now(), actor)) as never;
    },
  );

  app.openapi(
    createRoute({ method: "get", path: "/api/v1/me/commissions", tags: ["Partner"], summary: "My commissions", request: { query: CommissionQuery.pick({ limit: true, cursor: true, status: true }) }, responses: { 200: jsonResponse(listOf(Commission), "commissions, newest first"), ...errorResponses } }),
    async (c) => {
      const { partner } = await mePartner(c);
      const q = c.req.valid("query");
      const page = await listCommissions(c.var.deps.db, { partnerId: partner.id, status: q.status }, { limit: q.limit, cursor: q.cursor ?? null });
      return c.json({ data: page.data.map(commissionJson), nextCursor: page.nextCursor }, 200);
    },
  );
  app.openapi(
    createRoute({ method: "get", path: "/api/v1/me/payouts", tags: ["Partner"], summary: "My payouts, newest first", responses: { 200: jsonResponse(z.object({ data: z.array(z.any()) }), "payouts"), ...errorResponses } }),
    async (c) => {
      const { partner } = await mePartner(c);
      return c.json({ data: (await listPartnerPayouts(c.var.deps.db, partner.id)).map(payoutJson) }, 200) as never;
    },
  );
  return app;
}
