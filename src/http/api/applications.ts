import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { APPLICATION_STATUSES } from "../../db/schema";
import { getProgram } from "../../db/queries/programs";
import { getVendorApplication, listApplications, type ApplicationRow } from "../../db/queries/applications";
import { isCountryCode } from "../../domain/countries";
import { approveApplication, rejectApplication, submitApplication } from "../../services/lifecycle/applications";
import type { AppEnv } from "../deps";
import { ApiError, notFound } from "../errors";
import { actorOf, requireCaller } from "../middleware/auth";
import { clientKeyOf, enforce } from "../middleware/rateLimit";
import { unwrap } from "./outcome";
import { iso } from "./present";
import { partnerWithStage } from "./lifecyclePresent";
import { vendorProgram } from "./programs";
import { createRouter } from "./router";
import { conflictResponse, Cursor, errorResponses, IdParam, jsonBody, jsonResponse, listOf, Partner } from "./schemas";

export const ApplicationBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    email: z.string().trim().email().max(320),
    website: z.string().url().max(2048).refine((u) => /^https?:/i.test(u), "must be an http(s) URL").optional(),
    country: z.string().transform((s) => s.toUpperCase()).refine(isCountryCode, "must be an ISO 3166-1 alpha-2 country code (DE, FR)").optional(),
    answers: z.record(z.string().max(100), z.string().max(2000)).optional(),
    source: z.string().max(64).optional().openapi({ description: "where the applicant came from" }),
    referredBy: z.string().max(100).optional().openapi({ description: "a partner id of this program" }),
  })
  .openapi("ApplicationInput");

export const Application = z
  .object({
    id: z.string(), programId: z.string(), name: z.string(), email: z.string(), website: z.string().nullable(), country: z.string().nullable(),
    answers: z.record(z.string(), z.string()), source: z.string().nullable(), referredBy: z.string().nullable(),
    status: z.enum(APPLICATION_STATUSES), stage: z.literal("interest").nullable().openapi({ description: "interest while pending" }),
    reason: z.string().nullable(), partnerId: z.string().nullable(), createdAt: z.string(), decidedAt: z.string().nullable(),
  })
  .openapi("Application");

export function applicationJson(a: ApplicationRow) {
  return {
    id: a.id, programId: a.programId, name: a.name, email: a.email, website: a.website, country: a.country, answers: a.answers,
    source: a.source, referredBy: a.referredBy, status: a.status, stage: a.status === "pending" ? ("interest" as const) : null,
    reason: a.reason, partnerId: a.partnerId, createdAt: iso(a.createdAt), decidedAt: a.decidedAt === null ? null : iso(a.decidedAt),
  };
}

/** An application of one of the vendor's programs, or 404 (another vendor's too). */
async function vendorApplication(c: Context<AppEnv>, id: string) {
  const caller = await requireCaller(c, ["vendor"]);
  const found = await getVendorApplication(c.var.deps.db, caller.vendorId, id);
  if (!found) throw notFound("application");
  return { ...found, actor: actorOf(caller) };
}

export function applicationRoutes() {
  const app = createRouter();

  app.openapi(
    createRoute({
      method: "post", path: "/v1/applications", tags: ["Applications"], summary: "Apply to join a program (program public key)",
      description: "A required question without an answer is 400 naming it (`answers.<id>`); an email (any case) that already has an application or a partner in the program is 409. When the program's auto-approval rules all hold, the answer is `approved` and the partner exists. Counted against the per-address limit of the application form.",
      request: { body: jsonBody(ApplicationBody) },
      responses: { 201: jsonResponse(z.object({ id: z.string(), status: z.enum(["pending", "approved"]), programId: z.string() }), "the application"), 409: conflictResponse, ...errorResponses },
    }),
    async (c) => {
      const caller = await requireCaller(c, ["public"]);
      await enforce(c, "applicationForm", clientKeyOf(c));
      const { deps } = c.var;
      const program = await getProgram(deps.db, caller.programId!);
      if (!program) throw new ApiError("unauthorized", "the key's program no longer exists");
      const { application, partner } = unwrap(await submitApplication(deps.db, program, c.req.valid("json"), deps.now(), deps.publicUrl));
      return c.json({ id: application.id, status: application.status as "pending" | "approved", programId: program.id, partnerId: partner?.id ?? null }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: "get", path: "/api/v1/programs/{id}/applications", tags: ["Applications"], summary: "The program's applications, newest first",
      request: { params: IdParam, query: Cursor.extend({ status: z.enum(APPLICATION_STATUSES).optional() }) },
      responses: { 200: jsonResponse(listOf(Application), "applications"), ...errorResponses },
    }),
    async (c) => {
      const { program } = await vendorProgram(c, c.req.valid("param").id);
      const q = c.req.valid("query");
      const page = await listApplications(c.var.deps.db, program.id, { status: q.status }, { limit: q.limit, cursor: q.cursor ?? null });
      return c.json({ data: page.data.map(applicationJson), nextCursor: page.nextCursor }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get", path: "/api/v1/applications/{id}", tags: ["Applications"], summary: "An application", request: { params: IdParam },
      responses: { 200: jsonResponse(Application, "the application"), ...errorResponses },
    }),
    async (c) => c.json(applicationJson((await vendorApplication(c, c.req.valid("param").id)).application), 200),
  );

  app.openapi(
    createRoute({
      method: "post", path: "/api/v1/applications/{id}/approve", tags: ["Applications"], summary: "Approve: the partner joins the entry tier",
      description: "Creates the partner (source and referrer kept) and a one-time portal sign-in link for it (72 h, built from AFFLUX_PUBLIC_URL). A decided application is 409.",
      request: { params: IdParam },
      responses: { 200: jsonResponse(z.object({ application: Application, partner: Partner, signInUrl: z.string() }), "the approval"), 409: conflictResponse, ...errorResponses },
    }),
    async (c) => {
      const { application, program, actor } = await vendorApplication(c, c.req.valid("param").id);
      const { deps } = c.var;
      const done = unwrap(await approveApplication(deps.db, program, application, deps.publicUrl, deps.now(), actor));
      return c.json({ application: applicationJson(done.application), partner: await partnerWithStage(deps.db, done.partner, deps.now()), signInUrl: done.signInUrl }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post", path: "/api/v1/applications/{id}/reject", tags: ["Applications"], summary: "Reject, with an optional reason", description: "A decided application is 409.",
      request: { params: IdParam, body: { content: { "application/json": { schema: z.object({ reason: z.string().max(2000).optional() }) } }, required: false } },
      responses: { 200: jsonResponse(Application, "the rejected application"), 409: conflictResponse, ...errorResponses },
    }),
    async (c) => {
      const { application, program, actor } = await vendorApplication(c, c.req.valid("param").id);
      const reason = (c.req.valid("json") as { reason?: string } | undefined)?.reason?.trim() || null;
      return c.json(applicationJson(unwrap(await rejectApplication(c.var.deps.db, application, reason, c.var.deps.now(), program, actor))), 200);
    },
  );
  return app;
}
