import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { eq } from "drizzle-orm";
import { commissionRules, tiers } from "../../db/schema";
import { commissionOf, commissionsOf, getConversion, listConversions } from "../../db/queries/conversions";
import { getProgram, getVendorProgram, type ProgramRow } from "../../db/queries/programs";
import { getPartner } from "../../db/queries/partners";
import { dayFromIso, utcDay } from "../../domain/reporting";
import { explain } from "../../domain/explain";
import { formatMoney } from "../../domain/money";
import { buildReport, type ReportLine } from "../../services/prm/report";
import type { AppEnv } from "../deps";
import { csvResponse, toCsv } from "../csv";
import { ApiError, invalid, notFound } from "../errors";
import { requireCaller } from "../middleware/auth";
import { conversionJson } from "./present";
import { createRouter } from "./router";
import { Conversion, Cursor, errorResponses, IdParam, jsonResponse, listOf } from "./schemas";

const MAX_REPORT_DAYS = 731;
const ReportQuery = z.object({
  from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  groupBy: z.enum(["day", "partner", "link", "country", "device", "sub1"]).default("day"),
  format: z.enum(["json", "csv"]).default("json"),
});
const ReportRow = z.object({ key: z.string().nullable(), clicks: z.number(), uniqueClicks: z.number(), botClicks: z.number(), conversions: z.number(), revenue: z.string(), commission: z.string(), conversionRate: z.number(), epc: z.string() }).openapi("ReportRow");
const Report = z.object({ rows: z.array(ReportRow), totals: ReportRow.omit({ key: true }), currency: z.string(), from: z.string(), to: z.string(), groupBy: z.string() }).openapi("Report");
const ConversionQuery = Cursor.extend({
  programId: z.string().max(100).optional(), partnerId: z.string().max(100).optional(), status: z.enum(["attributed", "unattributed"]).optional(),
  from: z.string().datetime({ offset: true }).optional(), to: z.string().datetime({ offset: true }).optional(),
});

/** Runs a report for a program (optionally one partner) and answers JSON or CSV. */
async function answerReport(c: Context<AppEnv>, program: ProgramRow, q: z.infer<typeof ReportQuery>, partnerNum?: number) {
  const today = utcDay(c.var.deps.now());
  const toDay = q.to ? dayFromIso(q.to) : today;
  const fromDay = q.from ? dayFromIso(q.from) : (toDay ?? today) - 29;
  if (fromDay === null) throw invalid("from", "must be a date YYYY-MM-DD");
  if (toDay === null) throw invalid("to", "must be a date YYYY-MM-DD");
  if (fromDay > toDay) throw invalid("from", "must not be after `to`");
  if (toDay - fromDay >= MAX_REPORT_DAYS) throw invalid("from", `a report spans at most ${MAX_REPORT_DAYS} days`);
  const report = await buildReport(c.var.deps.db, { programNum: program.num, fromDay, toDay, groupBy: q.groupBy, partnerNum });
  const m = (v: number) => formatMoney(v, program.currency);
  const money = <T extends Omit<ReportLine, "key">>(r: T) => ({ ...r, revenue: m(r.revenue), commission: m(r.commission), epc: m(r.epc), conversionRate: Math.round(r.conversionRate * 1e6) / 1e6 });
  const rows = report.rows.map(money);
  if (q.format === "csv") {
    const header = ["key", "clicks", "uniqueClicks", "botClicks", "conversions", "revenue", "commission", "conversionRate", "epc"];
    const body = toCsv(header, rows.map((r) => [r.key, r.clicks, r.uniqueClicks, r.botClicks, r.conversions, r.revenue, r.commission, r.conversionRate, r.epc]));
    return csvResponse(body, `report-${q.groupBy}.csv`);
  }
  const day = (d: number) => new Date(d * 86_400_000).toISOString().slice(0, 10);
  return c.json({ rows, totals: money(report.totals), currency: program.currency, from: day(fromDay), to: day(toDay), groupBy: q.groupBy }, 200);
}

async function partnerOfKey(c: Context<AppEnv>) {
  const caller = await requireCaller(c, ["partner"]);
  const partner = await getPartner(c.var.deps.db, caller.partnerId!);
  const program = partner && (await getProgram(c.var.deps.db, partner.programId));
  if (!partner || !program) throw new ApiError("unauthorized", "the key's partner no longer exists");
  return { partner, program };
}

export function reportRoutes() {
  const app = createRouter();

  app.openapi(
    createRoute({ method: "get", path: "/api/v1/programs/{id}/report", tags: ["Reports"], summary: "Clicks, conversions, revenue and commission by day, partner, link, country, device or sub1", request: { params: IdParam, query: ReportQuery }, responses: { 200: jsonResponse(Report, "the report (or CSV with format=csv)"), ...errorResponses } }),
    async (c) => {
      const caller = await requireCaller(c, ["vendor"]);
      const program = await getVendorProgram(c.var.deps.db, caller.vendorId, c.req.valid("param").id);
      if (!program) throw notFound("program");
      return answerReport(c, program, c.req.valid("query")) as never;
    },
  );

  app.openapi(
    createRoute({ method: "get", path: "/api/v1/me/report", tags: ["Partner"], summary: "My report (same query and shape as the program report)", request: { query: ReportQuery }, responses: { 200: jsonResponse(Report, "the report"), ...errorResponses } }),
    async (c) => {
      const { partner, program } = await partnerOfKey(c);
      return answerReport(c, program, c.req.valid("query"), partner.num) as never;
    },
  );

  app.openapi(
    createRoute({ method: "get", path: "/api/v1/conversions", tags: ["Conversions"], summary: "List conversions", request: { query: ConversionQuery }, responses: { 200: jsonResponse(listOf(Conversion), "conversions, newest first"), ...errorResponses } }),
    async (c) => {
      const caller = await requireCaller(c, ["vendor"]);
      const q = c.req.valid("query");
      const page = await listConversions(c.var.deps.db, { vendorId: caller.vendorId, programId: q.programId, partnerId: q.partnerId, status: q.status, from: q.from ? Date.parse(q.from) : undefined, to: q.to ? Date.parse(q.to) : undefined }, { limit: q.limit, cursor: q.cursor ?? null });
      const byConversion = await commissionsOf(c.var.deps.db, page.data.map((conv) => conv.id));
      const data = page.data.map((conv) => conversionJson(conv, byConversion.get(conv.id) ?? null));
      return c.json({ data, nextCursor: page.nextCursor }, 200);
    },
  );

  app.openapi(
    createRoute({ method: "get", path: "/api/v1/conversions/{id}", tags: ["Conversions"], summary: "A conversion with the explanation of its attribution and commission", request: { params: IdParam }, responses: { 200: jsonResponse(Conversion.extend({ explanation: z.any() }), "the conversion"), ...errorResponses } }),
    async (c) => {
      const caller = await requireCaller(c, ["vendor"]);
      const { db } = c.var.deps;
      const conv = await getConversion(db, c.req.valid("param").id);
      const program = conv && (await getVendorProgram(db, caller.vendorId, conv.programId));
      if (!conv || !program) throw notFound("conversion");
      const commission = await commissionOf(db, conv.id);
      const [rule] = commission?.ruleId ? await db.select().from(commissionRules).where(eq(commissionRules.id, commission.ruleId)) : [];
      const [tier] = commission?.tierId ? await db.select().from(tiers).where(eq(tiers.id, commission.tierId)) : [];
      const explanation = explain({
        conversion: conv, cookieDays: program.cookieDays, tier: tier ? { id: tier.id, name: tier.name } : null,
        rule: rule ?? null, commission,
      });
      return c.json({ ...conversionJson(conv, commission), explanation }, 200);
    },
  );
  return app;
}
