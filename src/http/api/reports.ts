import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { pricingOf } from "../../db/queries/dashboard";
import { adjustmentsOf } from "../../db/queries/commissions";
import { commissionOf, commissionsOf, getConversion, listConversions, type CommissionRow, type ConversionRow } from "../../db/queries/conversions";
import { eachPage } from "../../db/queries/pagination";
import { getProgram, getVendorProgram, type ProgramRow } from "../../db/queries/programs";
import { getPartner } from "../../db/queries/partners";
import { utcDay } from "../../domain/reporting";
import { explain } from "../../domain/explain";
import { formatMoney } from "../../domain/money";
import { buildReport, type ReportLine } from "../../services/prm/report";
import type { AppEnv } from "../deps";
import { csvNumber, csvResponse, csvStream, toCsv, type CsvCell } from "../csv";
import { dayParam, rangeBoundParam } from "./dateParams";
import { ApiError, invalid, notFound } from "../errors";
import { requireCaller } from "../middleware/auth";
import { conversionJson } from "./present";
import { createRouter } from "./router";
import { Conversion, Cursor, errorResponses, IdParam, jsonResponse, listOf } from "./schemas";

const MAX_REPORT_DAYS = 731;
const ReportQuery = z.object({
  from: z.string().max(10).optional().openapi({ description: "first UTC day, YYYY-MM-DD" }),
  to: z.string().max(10).optional().openapi({ description: "last UTC day, YYYY-MM-DD" }),
  groupBy: z.enum(["day", "partner", "link", "country", "device", "sub1"]).default("day"),
  format: z.enum(["json", "csv"]).default("json"),
});
const ReportRow = z.object({ key: z.string().nullable(), clicks: z.number(), uniqueClicks: z.number(), botClicks: z.number(), conversions: z.number(), revenue: z.string(), commission: z.string(), conversionRate: z.number(), epc: z.string() }).openapi("ReportRow");
const Report = z.object({ rows: z.array(ReportRow), totals: ReportRow.omit({ key: true }), currency: z.string(), from: z.string(), to: z.string(), groupBy: z.string() }).openapi("Report");
const ConversionQuery = Cursor.extend({
  programId: z.string().max(100).optional(), partnerId: z.string().max(100).optional(), status: z.enum(["attributed", "unattributed"]).optional(),
  orderId: z.string().min(1).max(200).optional(),
  format: z.enum(["json", "csv"]).default("json").openapi({ description: "csv: every matching conversion (not one page), streamed" }),
  from: z.string().max(40).optional().openapi({ description: "created from: a UTC day YYYY-MM-DD or an ISO-8601 timestamp" }),
  to: z.string().max(40).optional().openapi({ description: "created until: a UTC day YYYY-MM-DD (inclusive) or an ISO-8601 timestamp (exclusive)" }),
});

const CONVERSION_CSV = ["id", "orderId", "event", "amount", "refunded", "currency", "source", "status", "reason", "partnerId", "linkId", "commissionId", "commission", "commissionStatus", "occurredAt", "createdAt"];
function conversionCsvRow(v: ConversionRow, m: CommissionRow | null): CsvCell[] {
  const j = conversionJson(v, m);
  return [j.id, j.orderId, j.event, csvNumber(j.amount), csvNumber(j.refunded), j.currency, j.source, j.status, j.reason, j.attribution?.partnerId ?? null, j.attribution?.linkId ?? null,
    j.commission?.id ?? null, j.commission ? csvNumber(j.commission.amount) : null, j.commission?.status ?? null, j.occurredAt, j.createdAt];
}

/** Runs a report for a program (optionally one partner) and answers JSON or CSV. */
async function answerReport(c: Context<AppEnv>, program: ProgramRow, q: z.infer<typeof ReportQuery>, partnerNum?: number) {
  const now = c.var.deps.now();
  const toDay = q.to ? dayParam("to", q.to, now) : utcDay(now);
  const fromDay = q.from ? dayParam("from", q.from, now) : toDay - 29;
  if (fromDay > toDay) throw invalid("from", "must not be after `to`");
  if (toDay - fromDay >= MAX_REPORT_DAYS) throw invalid("from", `a report spans at most ${MAX_REPORT_DAYS} days`);
  const report = await buildReport(c.var.deps.db, { programNum: program.num, fromDay, toDay, groupBy: q.groupBy, partnerNum });
  const m = (v: bigint) => formatMoney(v, program.currency);
  const money = <T extends Omit<ReportLine, "key">>(r: T) => ({ ...r, revenue: m(r.revenue), commission: m(r.commission), epc: m(r.epc), conversionRate: Math.round(r.conversionRate * 1e6) / 1e6 });
  const rows = report.rows.map(money);
  if (q.format === "csv") {
    const header = ["key", "clicks", "uniqueClicks", "botClicks", "conversions", "revenue", "commission", "conversionRate", "epc"];
    const body = toCsv(header, rows.map((r) => [r.key, r.clicks, r.uniqueClicks, r.botClicks, r.conversions, csvNumber(r.revenue), csvNumber(r.commission), r.conversionRate, csvNumber(r.epc)]));
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
      const now = c.var.deps.now();
      const filter = {
        vendorId: caller.vendorId, programId: q.programId, partnerId: q.partnerId, status: q.status, orderId: q.orderId,
        from: q.from ? rangeBoundParam("from", q.from, now) : undefined, to: q.to ? rangeBoundParam("to", q.to, now) : undefined,
      };
      if (q.format === "csv") {
        const db = c.var.deps.db;
        const pages = eachPage((p) => listConversions(db, filter, p));
        return csvStream(CONVERSION_CSV, (async function* () {
          for await (const convs of pages) {
            const byConversion = await commissionsOf(db, convs.map((v) => v.id));
            yield convs.map((v) => conversionCsvRow(v, byConversion.get(v.id) ?? null));
          }
        })(), "conversions.csv") as never;
      }
      const page = await listConversions(c.var.deps.db, filter, { limit: q.limit, cursor: q.cursor ?? null });
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
      const { rule, tier } = await pricingOf(db, commission);
      const explanation = explain({
        // the window it was attributed under (older rows without one: the program's)
        conversion: conv, cookieDays: conv.cookieDays ?? program.cookieDays, tier, rule,
        commission, adjustments: commission ? await adjustmentsOf(db, commission.id) : [],
      });
      return c.json({ ...conversionJson(conv, commission), explanation }, 200);
    },
  );
  return app;
}
