import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { getLinkWithCounts, listLinks } from "../../db/queries/links";
import { getProgramPartner, listPartners } from "../../db/queries/partners";
import { createPartner } from "../../services/management/partners";
import { unwrap } from "./outcome";
import { getVendorProgram } from "../../db/queries/programs";
import { changeLink, createLink, type CreateLinkOutcome } from "../../services/links/createLink";
import type { AppEnv } from "../deps";
import { ApiError, invalid, notFound } from "../errors";
import { actorOf, requireCaller } from "../middleware/auth";
import { linkJson, partnerJson } from "./present";
import { vendorProgram } from "./programs";
import { createRouter } from "./router";
import { Cursor, errorResponses, IdParam, jsonBody, jsonResponse, Link, listOf, Partner } from "./schemas";

export const PartnerName = z.string().min(1).max(200);
export const PartnerEmail = z.string().email().max(320);
export const PartnerCoupon = z.string().regex(/^[A-Za-z0-9_-]{2,64}$/);
const CreatePartner = z.object({ name: PartnerName, email: PartnerEmail, coupon: PartnerCoupon.optional() }).openapi("PartnerInput");
const CreateLink = z
  .object({ programId: z.string().max(100), partnerId: z.string().max(100), destination: z.string().max(2048), slug: z.string().max(64).optional(), allowDeepLinks: z.boolean().default(false) })
  .openapi("LinkInput");
const PatchLink = z.object({ destination: z.string().max(2048).optional(), allowDeepLinks: z.boolean().optional(), archived: z.boolean().optional() }).openapi("LinkPatch");
const LinkQuery = Cursor.extend({ programId: z.string().max(100).optional(), partnerId: z.string().max(100).optional() });

export function linkOutcome(c: Context<AppEnv>, outcome: CreateLinkOutcome) {
  if (outcome.kind === "invalid") throw invalid(outcome.path, outcome.message);
  if (outcome.kind === "slug_taken") throw new ApiError("conflict", "this slug is taken");
  // the slug may sit in the cache as "unknown" from a request before it existed
  c.var.deps.linkCache.invalidate(outcome.link.slug);
  return c.json(linkJson(outcome.link, c.var.deps.publicUrl), 201);
}

/** A link of one of the vendor's programs, or 404. */
async function vendorLink(c: Context<AppEnv>, id: string) {
  const caller = await requireCaller(c, ["vendor"]);
  const link = await getLinkWithCounts(c.var.deps.db, id);
  const program = link && (await getVendorProgram(c.var.deps.db, caller.vendorId, link.programId));
  if (!link || !program) throw notFound("link");
  return { link, program, actor: actorOf(caller) };
}

export function partnerLinkRoutes() {
  const app = createRouter();

  app.openapi(
    createRoute({ method: "post", path: "/api/v1/programs/{id}/partners", tags: ["Partners"], summary: "Add a partner", request: { params: IdParam, body: jsonBody(CreatePartner) }, responses: { 201: jsonResponse(Partner, "the partner with its key (shown once)"), 409: jsonResponse(z.any(), "email or coupon taken (case-insensitive)"), ...errorResponses } }),
    async (c) => {
      const { program, actor } = await vendorProgram(c, c.req.valid("param").id);
      const { partner, apiKey } = unwrap(await createPartner(c.var.deps.db, program, c.req.valid("json"), c.var.deps.now(), actor));
      return c.json({ ...partnerJson(partner), apiKey }, 201);
    },
  );

  app.openapi(
    createRoute({ method: "get", path: "/api/v1/programs/{id}/partners", tags: ["Partners"], summary: "List partners", request: { params: IdParam, query: Cursor }, responses: { 200: jsonResponse(listOf(Partner), "partners, newest first"), ...errorResponses } }),
    async (c) => {
      const { program } = await vendorProgram(c, c.req.valid("param").id);
      const q = c.req.valid("query");
      const page = await listPartners(c.var.deps.db, program.id, { limit: q.limit, cursor: q.cursor ?? null });
      return c.json({ data: page.data.map(partnerJson), nextCursor: page.nextCursor }, 200);
    },
  );

  app.openapi(
    createRoute({ method: "post", path: "/api/v1/links", tags: ["Links"], summary: "Create a tracked link", request: { body: jsonBody(CreateLink) }, responses: { 201: jsonResponse(Link, "the link"), 409: jsonResponse(z.any(), "slug taken"), ...errorResponses } }),
    async (c) => {
      const body = c.req.valid("json");
      const caller = await requireCaller(c, ["vendor"]);
      const { deps } = c.var;
      // ids in the body that name nothing of the vendor's are a bad request (400), not a missing resource
      const program = await getVendorProgram(deps.db, caller.vendorId, body.programId);
      if (!program) throw invalid("programId", "no such program");
      if (!(await getProgramPartner(deps.db, program.id, body.partnerId))) throw invalid("partnerId", "no such partner in this program");
      return linkOutcome(c, await createLink(deps.db, program, body, deps.now(), actorOf(caller))) as never;
    },
  );

  app.openapi(
    createRoute({ method: "get", path: "/api/v1/links", tags: ["Links"], summary: "List links with their stored click counts", request: { query: LinkQuery }, responses: { 200: jsonResponse(listOf(Link), "links, newest first"), ...errorResponses } }),
    async (c) => {
      const caller = await requireCaller(c, ["vendor"]);
      const q = c.req.valid("query");
      const page = await listLinks(c.var.deps.db, { vendorId: caller.vendorId, programId: q.programId, partnerId: q.partnerId }, { limit: q.limit, cursor: q.cursor ?? null });
      return c.json({ data: page.data.map((l) => linkJson(l, c.var.deps.publicUrl)), nextCursor: page.nextCursor }, 200);
    },
  );

  app.openapi(
    createRoute({ method: "get", path: "/api/v1/links/{id}", tags: ["Links"], summary: "Get a link with its stored click counts", request: { params: IdParam }, responses: { 200: jsonResponse(Link, "the link"), ...errorResponses } }),
    async (c) => c.json(linkJson((await vendorLink(c, c.req.valid("param").id)).link, c.var.deps.publicUrl), 200),
  );

  app.openapi(
    createRoute({ method: "patch", path: "/api/v1/links/{id}", tags: ["Links"], summary: "Change or archive a link", request: { params: IdParam, body: jsonBody(PatchLink) }, responses: { 200: jsonResponse(Link, "the link"), ...errorResponses } }),
    async (c) => {
      const { link, program, actor } = await vendorLink(c, c.req.valid("param").id);
      const { deps } = c.var;
      const changed = await changeLink(deps.db, program, link, c.req.valid("json"), deps.now(), actor);
      if (changed.kind === "invalid") throw invalid(changed.path, changed.message);
      deps.linkCache.invalidate(link.slug);
      return c.json(linkJson((await getLinkWithCounts(deps.db, link.id))!, deps.publicUrl), 200);
    },
  );
  return app;
}

