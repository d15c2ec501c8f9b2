import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { attemptsOf, getPartnerLead, getVendorLead, listPartnerLeads, listProgramLeads, type LeadRow } from "../../db/queries/leads";
import { getProgramPartner } from "../../db/queries/partners";
import type { ProgramRow } from "../../db/queries/programs";
import { LEAD_STATUSES } from "../../domain/leads";
import { acceptLead, assignLead, convertLead, createLead, declineLead } from "../../services/leads/actions";
import type { AppEnv } from "../deps";
import { invalid, notFound } from "../errors";
import { actorOf, requireCaller } from "../middleware/auth";
import { callerPartner, Deal } from "./deals";
import { leadJson, partnerDealJson } from "./dealsPresent";
import { unwrap } from "./outcome";
import { vendorProgram } from "./programs";
import { createRouter } from "./router";
import { conflictResponse, Cursor, errorResponses, IdParam, jsonBody, jsonResponse, listOf, Money, MoneyInput } from "./schemas";

const Attempt = z.object({ partnerId: z.string(), offeredAt: z.string(), respondBy: z.string().nullable(), outcome: z.string(), reason: z.string().nullable(), answeredAt: z.string().nullable(), manual: z.boolean() });
const Lead = z
  .object({
    id: z.string(), programId: z.string(), status: z.string(), partnerId: z.string().nullable(), respondBy: z.string().nullable(), company: z.string(),
    contactName: z.string().nullable(), contactEmail: z.string(), country: z.string().nullable(), vertical: z.string().nullable(), value: Money.nullable(),
    currency: z.string(), minTierRank: z.number().nullable(), dealId: z.string().nullable(), attempts: z.array(Attempt), createdAt: z.string(), updatedAt: z.string(),
  })
  .openapi("Lead");
const LeadInput = z
  .object({
    company: z.string().trim().min(1).max(200), contactName: z.string().max(200).optional(), contactEmail: z.string().email().max(254),
    country: z.string().regex(/^[A-Za-z]{2}$/, "a two-letter country code").optional(), vertical: z.string().trim().min(1).max(60).optional(),
    value: MoneyInput.optional(), minTierRank: z.number().int().min(0).max(1000).optional(),
  })
  .openapi("LeadInput");
const LeadDealInput = z
  .object({ company: z.string().trim().min(1).max(200).optional(), domain: z.string().max(300).optional(), contactName: z.string().trim().min(1).max(200).optional(), contactEmail: z.string().email().max(254).optional(), value: MoneyInput.optional(), expectedCloseAt: z.string().max(40).optional(), notes: z.string().max(5000).optional() })
  .openapi("LeadDealInput");
const StatusQuery = Cursor.extend({ status: z.enum(LEAD_STATUSES).optional() });
const Reason = z.object({ reason: z.string().max(500).optional() });

/** The whole trail, for the manager. */
async function managerLeads(c: Context<AppEnv>, program: ProgramRow, rows: LeadRow[]) {
  const trails = await attemptsOf(c.var.deps.db, rows.map((l) => l.id));
  return rows.map((l) => leadJson(l, program.currency, trails.get(l.id) ?? []));
}

/**
 * A lead as its partner sees it: only its own offers; once it declined or timed out the lead is no
 * longer its own, and where the lead went is not told.
 */
async function partnerLead(c: Context<AppEnv>, program: ProgramRow, partnerId: string, lead: LeadRow) {
  const own = (await attemptsOf(c.var.deps.db, [lead.id])).get(lead.id)?.filter((a) => a.partnerId === partnerId) ?? [];
  const json = leadJson(lead, program.currency, own);
  if (lead.partnerId === partnerId) return json;
  return { ...json, status: own.at(-1)?.outcome ?? "declined", partnerId: null, respondBy: null, dealId: null };
}

async function vendorLead(c: Context<AppEnv>, id: string) {
  const caller = await requireCaller(c, ["vendor"]);
  const found = await getVendorLead(c.var.deps.db, caller.vendorId, id);
  if (!found) throw notFound("lead");
  return { ...found, actor: actorOf(caller) };
}

/** The caller's lead (offered to it or held by it), or 404 (also another partner's lead). */
async function myLead(c: Context<AppEnv>, id: string) {
  const { partner, program } = await callerPartner(c);
  const lead = await getPartnerLead(c.var.deps.db, partner.id, id);
  if (!lead) throw notFound("lead");
  return { partner, program, lead };
}

const post = (path: string, summary: string, request: object, ok: z.ZodType) =>
  createRoute({ method: "post", path, tags: [path.includes("/me/") ? "Partner" : "Leads"], summary, request, responses: { 200: jsonResponse(ok, "the lead"), 409: conflictResponse, ...errorResponses } } as Parameters<typeof createRoute>[0]);
const optionalBody = <T extends z.ZodType>(schema: T) => ({ content: { "application/json": { schema } }, required: false });

export function leadRoutes() {
  const app = createRouter();

  app.openapi(
    createRoute({
      method: "post", path: "/api/v1/programs/{id}/leads", tags: ["Leads"], summary: "Add a lead: routed at once to the eligible partner with the fewest open leads",
      description: "Eligible: approved, matching the lead's country and vertical (empty profile lists mean any), in a tier of at least minTierRank, with fewer open leads than its capacity, and not having declined or timed out on it. Ties: the oldest last offer, then id. Nobody eligible: `unassigned`.",
      request: { params: IdParam, body: jsonBody(LeadInput) }, responses: { 201: jsonResponse(Lead, "the lead"), ...errorResponses },
    }),
    async (c) => {
      const { program, actor } = await vendorProgram(c, c.req.valid("param").id);
      const lead = unwrap(await createLead(c.var.deps.db, program, c.req.valid("json"), c.var.deps.now(), actor));
      return c.json((await managerLeads(c, program, [lead]))[0]!, 201);
    },
  );

  app.openapi(
    createRoute({ method: "get", path: "/api/v1/programs/{id}/leads", tags: ["Leads"], summary: "Leads of a program with their attempts, newest first", request: { params: IdParam, query: StatusQuery }, responses: { 200: jsonResponse(listOf(Lead), "leads"), ...errorResponses } }),
    async (c) => {
      const { program } = await vendorProgram(c, c.req.valid("param").id);
      const q = c.req.valid("query");
      const page = await listProgramLeads(c.var.deps.db, program.id, { status: q.status }, { limit: q.limit, cursor: q.cursor ?? null });
      return c.json({ data: await managerLeads(c, program, page.data), nextCursor: page.nextCursor }, 200);
    },
  );

  app.openapi(
    post("/api/v1/leads/{id}/assign", "Assign a lead to a partner, overriding routing (the partner must be approved; capacity is not checked)", { params: IdParam, body: jsonBody(z.object({ partnerId: z.string().min(1).max(100) })) }, Lead),
    async (c) => {
      const { lead, program, actor } = await vendorLead(c, c.req.param("id")!);
      const { partnerId } = c.req.valid("json" as never) as { partnerId: string };
      const partner = await getProgramPartner(c.var.deps.db, program.id, partnerId);
      if (!partner) throw invalid("partnerId", "no such partner in this program");
      const moved = unwrap(await assignLead(c.var.deps.db, program, lead, partner, c.var.deps.now(), actor));
      return c.json((await managerLeads(c, program, [moved]))[0]!, 200);
    },
  );

  app.openapi(
    createRoute({ method: "get", path: "/api/v1/me/leads", tags: ["Partner"], summary: "Leads offered to me or accepted by me, with respondBy", request: { query: StatusQuery }, responses: { 200: jsonResponse(listOf(Lead), "leads"), ...errorResponses } }),
    async (c) => {
      const { partner, program } = await callerPartner(c);
      const q = c.req.valid("query");
      const page = await listPartnerLeads(c.var.deps.db, partner.id, { status: q.status }, { limit: q.limit, cursor: q.cursor ?? null });
      return c.json({ data: await Promise.all(page.data.map((l) => partnerLead(c, program, partner.id, l))), nextCursor: page.nextCursor }, 200);
    },
  );

  app.openapi(
    post("/api/v1/me/leads/{id}/accept", "Accept a lead offered to me (after respondBy: 409)", { params: IdParam }, Lead),
    async (c) => {
      const { partner, program, lead } = await myLead(c, c.req.param("id")!);
      const accepted = unwrap(await acceptLead(c.var.deps.db, program, lead, partner, c.var.deps.now()));
      return c.json(await partnerLead(c, program, partner.id, accepted), 200);
    },
  );

  app.openapi(
    post("/api/v1/me/leads/{id}/decline", "Decline a lead offered to me: it goes to the next eligible partner at once", { params: IdParam, body: optionalBody(Reason) }, Lead),
    async (c) => {
      const { partner, program, lead } = await myLead(c, c.req.param("id")!);
      const body = (c.req.valid("json" as never) as { reason?: string } | undefined) ?? {};
      const moved = unwrap(await declineLead(c.var.deps.db, program, lead, body.reason ?? null, c.var.deps.now()));
      return c.json(await partnerLead(c, program, partner.id, moved), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post", path: "/api/v1/me/leads/{id}/deal", tags: ["Partner"], summary: "Turn my accepted lead into a deal, approved at once (no conflict check)",
      description: "Fields default to the lead's company, contact and value.",
      request: { params: IdParam, body: optionalBody(LeadDealInput) }, responses: { 201: jsonResponse(Deal, "the deal"), 409: conflictResponse, ...errorResponses },
    }),
    async (c) => {
      const { partner, program, lead } = await myLead(c, c.req.valid("param").id);
      const body = (c.req.valid("json") as z.infer<typeof LeadDealInput> | undefined) ?? {};
      const input = {
        company: body.company ?? lead.company, domain: body.domain, contactName: body.contactName ?? lead.contactName ?? lead.company,
        contactEmail: body.contactEmail ?? lead.contactEmail, value: body.value, expectedCloseAt: body.expectedCloseAt, notes: body.notes,
      };
      const deal = unwrap(await convertLead(c.var.deps.db, program, lead, partner, input, c.var.deps.now()));
      return c.json(partnerDealJson(deal, program.currency), 201);
    },
  );
  return app;
}
