import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { closedDeals, dealsByIds, getVendorDeal, listPartnerDeals, listProgramDeals, pipelineDeals } from "../../db/queries/deals";
import { getPartner } from "../../db/queries/partners";
import { getProgram } from "../../db/queries/programs";
import { DEAL_STATUSES, summarizePipeline } from "../../domain/deals";
import { DAY_MS } from "../../domain/dates";
import { formatMoney } from "../../domain/money";
import { invalid } from "../errors";
import { rangeBoundParam } from "./dateParams";
import { approveDeal, closeDeal, markDealWon } from "../../services/deals/decide";
import { registerDeal } from "../../services/deals/register";
import type { AppEnv } from "../deps";
import { ApiError, notFound } from "../errors";
import { requireCaller, actorOf } from "../middleware/auth";
import { managerDealJson, partnerDealJson } from "./dealsPresent";
import { unwrap } from "./outcome";
import { conversionJson } from "./present";
import { vendorProgram } from "./programs";
import { createRouter } from "./router";
import { conflictResponse, Conversion, Cursor, errorResponses, IdParam, jsonBody, jsonResponse, listOf, Money, MoneyInput } from "./schemas";

const Conflict = z.object({ kind: z.enum(["registered_by_other", "existing_customer"]), dealId: z.string().nullable() }).nullable();
export const Deal = z
  .object({
    id: z.string(), programId: z.string(), status: z.enum(DEAL_STATUSES), company: z.string(), domain: z.string().nullable(), account: z.string(),
    contactName: z.string(), contactEmail: z.string(), value: Money.nullable(), currency: z.string(), expectedCloseAt: z.string().nullable(), notes: z.string().nullable(),
    conflict: Conflict, protectedUntil: z.string().nullable(), reason: z.string().nullable(), wonAmount: Money.nullable(), closedAt: z.string().nullable(),
    leadId: z.string().nullable(), createdAt: z.string(), updatedAt: z.string(), partnerId: z.string().optional(),
  })
  .openapi("Deal");
const ManagerDeal = Deal.extend({ conflictsWith: Deal.nullable().optional() }).openapi("ManagerDeal");

export const DealInput = z
  .object({
    company: z.string().trim().min(1).max(200), domain: z.string().max(300).optional(), contactName: z.string().trim().min(1).max(200),
    contactEmail: z.string().email().max(254), value: MoneyInput.optional(), expectedCloseAt: z.string().max(40).optional(), notes: z.string().max(5000).optional(),
  })
  .openapi("DealInput");
const Reason = z.object({ reason: z.string().max(500).optional() }).openapi("DealReason");
const Won = z.object({ amount: MoneyInput, closedAt: z.string().max(40).optional() }).openapi("DealWon");
const Status = z.object({ status: z.enum(DEAL_STATUSES).optional() });
const ManagerQuery = Cursor.extend({ status: z.enum(DEAL_STATUSES).optional(), partnerId: z.string().max(100).optional() });
const PipelineQuery = z.object({ from: z.string().max(10).optional(), to: z.string().max(10).optional() });
export const Pipeline = z
  .object({
    byStatus: z.array(z.object({ status: z.enum(DEAL_STATUSES), count: z.number(), value: Money })),
    winRate: z.string().nullable(), medianDaysToClose: z.number().nullable(), wonValue: Money, currency: z.string(), from: z.string(), to: z.string(),
  })
  .openapi("Pipeline");

/** The calling partner and its program (a key whose partner is gone is 401). */
export async function callerPartner(c: Context<AppEnv>) {
  const caller = await requireCaller(c, ["partner"]);
  const partner = await getPartner(c.var.deps.db, caller.partnerId!);
  const program = partner && (await getProgram(c.var.deps.db, partner.programId));
  if (!partner || !program) throw new ApiError("unauthorized", "the key's partner no longer exists");
  return { partner, program };
}

/** A deal of one of the vendor's programs, or 404. */
async function vendorDeal(c: Context<AppEnv>, id: string) {
  const caller = await requireCaller(c, ["vendor"]);
  const found = await getVendorDeal(c.var.deps.db, caller.vendorId, id);
  if (!found) throw notFound("deal");
  return { ...found, actor: actorOf(caller) };
}

const route = (method: "get" | "post", path: string, tags: string[], summary: string, extra: Record<string, unknown>) => createRoute({ method, path, tags, summary, ...extra } as Parameters<typeof createRoute>[0]);

export function dealRoutes() {
  const app = createRouter();

  app.openapi(
    createRoute({
      method: "post", path: "/api/v1/me/deals", tags: ["Partner"], summary: "Register a deal",
      description: "`account` is the normalised account key. Another partner's open deal of the account, or an existing customer, makes it `conflict` (whose deal is never told); your own open deal of the account is 409.",
      request: { body: jsonBody(DealInput) }, responses: { 201: jsonResponse(Deal, "the deal"), 409: conflictResponse, ...errorResponses },
    }),
    async (c) => {
      const { partner, program } = await callerPartner(c);
      const deal = unwrap(await registerDeal(c.var.deps.db, program, partner, c.req.valid("json"), c.var.deps.now()));
      return c.json(partnerDealJson(deal, program.currency), 201);
    },
  );

  app.openapi(
    createRoute({ method: "get", path: "/api/v1/me/deals", tags: ["Partner"], summary: "My deals, newest first", request: { query: Cursor.merge(Status) }, responses: { 200: jsonResponse(listOf(Deal), "deals"), ...errorResponses } }),
    async (c) => {
      const { partner, program } = await callerPartner(c);
      const q = c.req.valid("query");
      const page = await listPartnerDeals(c.var.deps.db, partner.id, { status: q.status }, { limit: q.limit, cursor: q.cursor ?? null });
      return c.json({ data: page.data.map((d) => partnerDealJson(d, program.currency)), nextCursor: page.nextCursor }, 200);
    },
  );

  app.openapi(
    createRoute({ method: "get", path: "/api/v1/programs/{id}/deals", tags: ["Deals"], summary: "Deals of a program, newest first (conflicts show the deal they conflict with)", request: { params: IdParam, query: ManagerQuery }, responses: { 200: jsonResponse(listOf(ManagerDeal), "deals"), ...errorResponses } }),
    async (c) => {
      const { program } = await vendorProgram(c, c.req.valid("param").id);
      const q = c.req.valid("query");
      const page = await listProgramDeals(c.var.deps.db, program.id, { status: q.status, partnerId: q.partnerId }, { limit: q.limit, cursor: q.cursor ?? null });
      const others = new Map((await dealsByIds(c.var.deps.db, page.data.flatMap((d) => (d.conflictDealId ? [d.conflictDealId] : [])))).map((d) => [d.id, d]));
      const data = page.data.map((d) => {
        const other = d.conflictDealId ? others.get(d.conflictDealId) : undefined;
        return { ...managerDealJson(d, program.currency), conflictsWith: other ? managerDealJson(other, program.currency) : null };
      });
      return c.json({ data, nextCursor: page.nextCursor }, 200);
    },
  );

  app.openapi(
    route("post", "/api/v1/deals/{id}/approve", ["Deals"], "Approve a submitted or conflicting deal (a conflict's other open deal is rejected: conflict_lost)", { request: { params: IdParam }, responses: { 200: jsonResponse(ManagerDeal, "the deal"), 409: conflictResponse, ...errorResponses } }),
    async (c) => {
      const { deal, program, actor } = await vendorDeal(c, c.req.param("id")!);
      const { deal: approved } = unwrap(await approveDeal(c.var.deps.db, program, deal, c.var.deps.now(), actor));
      return c.json(managerDealJson(approved, program.currency), 200);
    },
  );

  for (const action of ["reject", "lost"] as const) {
    app.openapi(
      route("post", `/api/v1/deals/{id}/${action}`, ["Deals"], action === "reject" ? "Reject a deal" : "Mark an approved deal lost", { request: { params: IdParam, body: { content: { "application/json": { schema: Reason } }, required: false } }, responses: { 200: jsonResponse(ManagerDeal, "the deal"), 409: conflictResponse, ...errorResponses } }),
      async (c) => {
        const { deal, program, actor } = await vendorDeal(c, c.req.param("id")!);
        const body = (c.req.valid("json" as never) as { reason?: string } | undefined) ?? {};
        return c.json(managerDealJson(unwrap(await closeDeal(c.var.deps.db, deal, action, body.reason ?? null, c.var.deps.now(), program, actor)), program.currency), 200);
      },
    );
  }

  app.openapi(
    createRoute({
      method: "post", path: "/api/v1/deals/{id}/won", tags: ["Deals"], summary: "Mark an approved deal won: its sale is recorded (orderId deal:<id>) and priced like any sale",
      description: "Idempotent: the same call again answers the same deal and sale.",
      request: { params: IdParam, body: jsonBody(Won) }, responses: { 200: jsonResponse(ManagerDeal.extend({ conversion: Conversion }), "the deal and its sale"), 409: conflictResponse, ...errorResponses },
    }),
    async (c) => {
      const { deal, program, actor } = await vendorDeal(c, c.req.valid("param").id);
      const { deps } = c.var;
      const won = unwrap(await markDealWon(deps, program, deal, c.req.valid("json"), actor));
      return c.json({ ...managerDealJson(won.deal, program.currency), conversion: conversionJson(won.conversion, won.commission) }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: "get", path: "/api/v1/programs/{id}/pipeline", tags: ["Deals"], summary: "Deal pipeline: counts and values by status, win rate, median days to close, won value",
      description: "`from`/`to` are days (YYYY-MM-DD, `to` included; default the last 90 days). byStatus counts the deals registered in the period by current status; the rest is over deals closed won or lost in it.",
      request: { params: IdParam, query: PipelineQuery }, responses: { 200: jsonResponse(Pipeline, "the pipeline"), ...errorResponses },
    }),
    async (c) => {
      const { program } = await vendorProgram(c, c.req.valid("param").id);
      const { db, now } = c.var.deps;
      const q = c.req.valid("query");
      const to = q.to ? rangeBoundParam("to", q.to, now()) : (Math.floor(now() / DAY_MS) + 1) * DAY_MS;
      const from = q.from ? rangeBoundParam("from", q.from, now()) : to - 90 * DAY_MS;
      if (from >= to) throw invalid("from", "must be before to");
      const [registered, closed] = [await pipelineDeals(db, program.id, from, to), await closedDeals(db, program.id, from, to)];
      const p = summarizePipeline({ registered, closed });
      const money = (m: number) => formatMoney(m, program.currency);
      return c.json({
        byStatus: p.byStatus.map((s) => ({ ...s, value: money(s.value) })), winRate: p.winRate, medianDaysToClose: p.medianDaysToClose,
        wonValue: money(p.wonValue), currency: program.currency, from: new Date(from).toISOString().slice(0, 10), to: new Date(to - DAY_MS).toISOString().slice(0, 10),
      }, 200);
    },
  );
  return app;
}
