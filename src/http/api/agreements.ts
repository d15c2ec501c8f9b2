import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { acceptanceOf, acceptancesOf, currentAgreement, getVendorAgreement, listAgreements, type AgreementRow } from "../../db/queries/agreements";
import { getPartner } from "../../db/queries/partners";
import { acceptanceHash } from "../../domain/agreements";
import { acceptAgreement, publishAgreement } from "../../services/lifecycle/agreements";
import type { AppEnv } from "../deps";
import { ApiError, notFound } from "../errors";
import { requireCaller } from "../middleware/auth";
import { unwrap } from "./outcome";
import { iso } from "./present";
import { vendorProgram } from "./programs";
import { createRouter } from "./router";
import { conflictResponse, errorResponses, IdParam, jsonBody, jsonResponse } from "./schemas";

const Agreement = z.object({ id: z.string(), programId: z.string(), version: z.number().int(), title: z.string(), body: z.string(), publishedAt: z.string() }).openapi("Agreement");
const agreementJson = (a: AgreementRow) => ({ id: a.id, programId: a.programId, version: a.version, title: a.title, body: a.body, publishedAt: iso(a.publishedAt) });

/** The partner behind a partner key, or 401 when it no longer exists. */
export async function callerPartner(c: Context<AppEnv>) {
  const caller = await requireCaller(c, ["partner"]);
  const partner = await getPartner(c.var.deps.db, caller.partnerId!);
  if (!partner) throw new ApiError("unauthorized", "the key's partner no longer exists");
  return partner;
}

export function agreementRoutes() {
  const app = createRouter();

  app.openapi(
    createRoute({
      method: "post", path: "/api/v1/programs/{id}/agreements", tags: ["Agreements"], summary: "Publish a new version of the partner agreement",
      description: "Versions count up from 1; the newest is current. Every approved partner is mailed (in the same transaction) to accept it. Partners who have not accepted it get no new payouts or leads until they do.",
      request: { params: IdParam, body: jsonBody(z.object({ title: z.string().trim().min(1).max(200), body: z.string().min(1).max(61_440) }).openapi("AgreementInput")) },
      responses: { 201: jsonResponse(Agreement, "the new version"), ...errorResponses },
    }),
    async (c) => {
      const { program } = await vendorProgram(c, c.req.valid("param").id);
      return c.json(agreementJson(unwrap(await publishAgreement(c.var.deps.db, program, c.req.valid("json"), c.var.deps.now(), c.var.deps.publicUrl))), 201);
    },
  );

  app.openapi(
    createRoute({
      method: "get", path: "/api/v1/programs/{id}/agreements", tags: ["Agreements"], summary: "The agreement's versions, newest first, with acceptedCount",
      request: { params: IdParam }, responses: { 200: jsonResponse(z.object({ data: z.array(Agreement.extend({ acceptedCount: z.number().int() })), nextCursor: z.null() }), "versions"), ...errorResponses },
    }),
    async (c) => {
      const { program } = await vendorProgram(c, c.req.valid("param").id);
      const rows = await listAgreements(c.var.deps.db, program.id);
      return c.json({ data: rows.map((a) => ({ ...agreementJson(a), acceptedCount: a.acceptedCount })), nextCursor: null }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get", path: "/api/v1/agreements/{id}", tags: ["Agreements"], summary: "One version with the partners who accepted it",
      request: { params: IdParam },
      responses: { 200: jsonResponse(Agreement.extend({ acceptances: z.array(z.object({ partnerId: z.string(), name: z.string(), email: z.string(), version: z.number(), acceptedAt: z.string() })) }), "the version"), ...errorResponses },
    }),
    async (c) => {
      const caller = await requireCaller(c, ["vendor"]);
      const agreement = await getVendorAgreement(c.var.deps.db, caller.vendorId, c.req.valid("param").id);
      if (!agreement) throw notFound("agreement");
      const acceptances = (await acceptancesOf(c.var.deps.db, agreement.id)).map((a) => ({ ...a, acceptedAt: iso(a.acceptedAt) }));
      return c.json({ ...agreementJson(agreement), acceptances }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get", path: "/api/v1/me/agreement", tags: ["Partner"], summary: "The current agreement and whether I accepted it",
      responses: { 200: jsonResponse(z.object({ current: Agreement.extend({ acceptedAt: z.string().nullable() }).nullable() }), "current is null when the program has none"), ...errorResponses },
    }),
    async (c) => {
      const partner = await callerPartner(c);
      const current = await currentAgreement(c.var.deps.db, partner.programId);
      if (!current) return c.json({ current: null }, 200);
      const accepted = await acceptanceOf(c.var.deps.db, current.id, partner.id);
      return c.json({ current: { ...agreementJson(current), acceptedAt: accepted ? iso(accepted.acceptedAt) : null } }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post", path: "/api/v1/me/agreement/accept", tags: ["Partner"], summary: "Accept the current agreement",
      description: "Keeps the time, the version and a keyed hash of IP and user agent (never the raw IP). A version that is not current is 409.",
      request: { body: jsonBody(z.object({ version: z.number().int().min(1) })) },
      responses: { 200: jsonResponse(z.object({ version: z.number(), acceptedAt: z.string() }), "accepted"), 409: conflictResponse, ...errorResponses },
    }),
    async (c) => {
      const partner = await callerPartner(c);
      const { deps } = c.var;
      const hash = acceptanceHash(deps.secret, deps.readClickFacts(c).ip, c.req.header("user-agent") ?? "");
      const { acceptance } = unwrap(await acceptAgreement(deps.db, partner, c.req.valid("json").version, hash, deps.now()));
      return c.json({ version: acceptance.version, acceptedAt: iso(acceptance.acceptedAt) }, 200);
    },
  );
  return app;
}
