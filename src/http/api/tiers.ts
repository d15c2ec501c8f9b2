import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { formatMoney } from "../../domain/money";
import { getVendorTier, listTiers, type TierRow } from "../../db/queries/tiers";
import { changeTier, createTier, deleteTier } from "../../services/management/tiers";
import type { AppEnv } from "../deps";
import { notFound } from "../errors";
import { actorOf, requireCaller } from "../middleware/auth";
import { unwrap } from "./outcome";
import { iso } from "./present";
import { vendorProgram } from "./programs";
import { createRouter } from "./router";
import { conflictResponse, errorResponses, IdParam, jsonBody, jsonResponse, MoneyInput } from "./schemas";

const WindowDays = z.number().int().min(1).max(3650);
const CreateTier = z
  .object({ name: z.string().min(1).max(100), rank: z.number().int().min(1).max(100), metric: z.enum(["revenue", "conversions"]), threshold: MoneyInput, windowDays: WindowDays.default(90) })
  .openapi("TierInput");
const PatchTier = z
  .object({ name: z.string().min(1).max(100).optional(), metric: z.enum(["revenue", "conversions"]).optional(), threshold: MoneyInput.optional(), windowDays: WindowDays.optional() })
  .openapi("TierPatch");
const Tier = z.object({ id: z.string(), programId: z.string(), name: z.string(), rank: z.number(), metric: z.string(), threshold: z.string(), windowDays: z.number(), createdAt: z.string() }).openapi("Tier");

export function tierJson(t: TierRow, currency: string) {
  return {
    id: t.id, programId: t.programId, name: t.name, rank: t.rank, metric: t.metric,
    threshold: t.metric === "revenue" ? formatMoney(t.threshold, currency) : String(t.threshold), windowDays: t.windowDays, createdAt: iso(t.createdAt),
  };
}

/** An active tier of one of the vendor's programs, or 404. */
async function vendorTier(c: Context<AppEnv>, id: string) {
  const caller = await requireCaller(c, ["vendor"]);
  const found = await getVendorTier(c.var.deps.db, caller.vendorId, id);
  if (!found) throw notFound("tier");
  return { ...found, actor: actorOf(caller) };
}

export function tierRoutes() {
  const app = createRouter();

  app.openapi(
    createRoute({ method: "post", path: "/api/v1/programs/{id}/tiers", tags: ["Tiers"], summary: "Add a tier", request: { params: IdParam, body: jsonBody(CreateTier) }, responses: { 201: jsonResponse(Tier, "the tier"), 409: conflictResponse, ...errorResponses } }),
    async (c) => {
      const { program, actor } = await vendorProgram(c, c.req.valid("param").id);
      const tier = unwrap(await createTier(c.var.deps.db, program, c.req.valid("json"), c.var.deps.now(), actor));
      return c.json(tierJson(tier, program.currency), 201);
    },
  );

  app.openapi(
    createRoute({ method: "get", path: "/api/v1/programs/{id}/tiers", tags: ["Tiers"], summary: "List tiers, entry tier first", request: { params: IdParam }, responses: { 200: jsonResponse(z.object({ data: z.array(Tier) }), "tiers"), ...errorResponses } }),
    async (c) => {
      const { program } = await vendorProgram(c, c.req.valid("param").id);
      return c.json({ data: (await listTiers(c.var.deps.db, program.id)).map((t) => tierJson(t, program.currency)) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "patch", path: "/api/v1/tiers/{id}", tags: ["Tiers"], summary: "Change a tier's name, metric, threshold or window",
      description: "Partners move on the next settle. A new metric needs a threshold in its unit; the entry tier's threshold stays 0.",
      request: { params: IdParam, body: jsonBody(PatchTier) }, responses: { 200: jsonResponse(Tier, "the tier"), 409: conflictResponse, ...errorResponses },
    }),
    async (c) => {
      const { tier, program, actor } = await vendorTier(c, c.req.valid("param").id);
      const updated = unwrap(await changeTier(c.var.deps.db, program, tier, c.req.valid("json"), actor, c.var.deps.now()));
      return c.json(tierJson(updated, program.currency), 200);
    },
  );

  app.openapi(
    createRoute({ method: "delete", path: "/api/v1/tiers/{id}", tags: ["Tiers"], summary: "Delete a tier and its rules (not the entry tier, not a tier with partners: 409)", request: { params: IdParam }, responses: { 200: jsonResponse(Tier, "the deleted tier"), 409: conflictResponse, ...errorResponses } }),
    async (c) => {
      const { tier, program, actor } = await vendorTier(c, c.req.valid("param").id);
      const deleted = unwrap(await deleteTier(c.var.deps.db, program, tier, c.var.deps.now(), actor));
      return c.json(tierJson(deleted, program.currency), 200);
    },
  );
  return app;
}
