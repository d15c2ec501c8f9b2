import { createRoute, z } from "@hono/zod-openapi";
import { instantParam } from "./dateParams";
import type { ManagerAction } from "../../domain/lifecycle";
import { vendorCommissions } from "../../db/queries/lifecycle";
import { decideCommissions } from "../../services/management/commissions";
import { getProgramPartner } from "../../db/queries/partners";
import { listTierChanges } from "../../db/queries/tiers";
import { settleProgram } from "../../services/prm/settle";
import { formatMoney } from "../../domain/money";
import { ApiError, notFound } from "../errors";
import { actorOf, requireCaller } from "../middleware/auth";
import { iso } from "./present";
import { vendorProgram } from "./programs";
import { createRouter } from "./router";
import { errorResponses, IdParam, jsonBody, jsonResponse } from "./schemas";

const TierChange = z.object({ id: z.string(), partnerId: z.string(), from: z.string().nullable(), to: z.string(), metricValue: z.number(), at: z.string() }).openapi("TierChange");
const Ids = z.object({ ids: z.array(z.string().max(100)).min(1).max(500) }).openapi("CommissionIds");
const ActionResult = z.object({ updated: z.array(z.string()), notFound: z.array(z.string()), invalid: z.array(z.object({ id: z.string(), status: z.string() })) });

export function prmRoutes() {
  const app = createRouter();

  app.openapi(
    createRoute({ method: "get", path: "/api/v1/programs/{id}/partners/{partnerId}/tier-changes", tags: ["Tiers"], summary: "A partner's tier history, newest first", request: { params: IdParam.extend({ partnerId: z.string().max(100) }) }, responses: { 200: jsonResponse(z.object({ data: z.array(TierChange) }), "tier changes"), ...errorResponses } }),
    async (c) => {
      const { id, partnerId } = c.req.valid("param");
      const { program } = await vendorProgram(c, id);
      if (!(await getProgramPartner(c.var.deps.db, program.id, partnerId))) throw notFound("partner");
      const changes = await listTierChanges(c.var.deps.db, partnerId);
      return c.json({ data: changes.map((t) => ({ id: t.id, partnerId: t.partnerId, from: t.fromTierId, to: t.toTierId, metricValue: t.metricValue, at: iso(t.createdAt) })) }, 200);
    },
  );

  app.openapi(
    createRoute({ method: "post", path: "/api/v1/programs/{id}/settle", tags: ["Commissions"], summary: "Approve due commissions, recompute tiers, expire deals, time out leads", request: { params: IdParam, body: { content: { "application/json": { schema: z.object({ now: z.string().max(40).optional().openapi({ description: "ISO-8601 timestamp" }) }) } }, required: false } }, responses: { 200: jsonResponse(z.object({ approved: z.number(), tierChanges: z.number(), expiredDeals: z.number(), timedOutLeads: z.number() }), "what changed"), ...errorResponses } }),
    async (c) => {
      const { program } = await vendorProgram(c, c.req.valid("param").id);
      // the body is optional: without one, settle runs at the current time
      const at = (c.req.valid("json") as { now?: string } | undefined)?.now;
      return c.json(await settleProgram(c.var.deps.db, program.id, at ? instantParam("now", at, c.var.deps.now()) : c.var.deps.now()), 200);
    },
  );

  const action = (name: ManagerAction) => async (c: Parameters<Parameters<typeof app.openapi>[1]>[0], ids: string[]) => {
    const caller = await requireCaller(c, ["vendor"]);
    return decideCommissions(c.var.deps.db, { vendorId: caller.vendorId }, ids, name, actorOf(caller), c.var.deps.now());
  };
  for (const name of ["approve", "reject"] as const) {
    app.openapi(
      createRoute({ method: "post", path: `/api/v1/commissions/{id}/${name}`, tags: ["Commissions"], summary: name === "approve" ? "Approve a held commission (hold → pending)" : "Reject a held or pending commission", request: { params: IdParam }, responses: { 200: jsonResponse(z.any(), "the commission"), 409: jsonResponse(z.any(), "not allowed from its status"), ...errorResponses } }),
      async (c) => {
        const id = c.req.valid("param").id;
        const result = await action(name)(c, [id]);
        if (result.notFound.length) throw notFound("commission");
        if (!result.updated.length) throw new ApiError("conflict", `cannot ${name} a commission in status ${result.invalid[0]?.status ?? "changed meanwhile"}`);
        const [row] = await vendorCommissions(c.var.deps.db, (await requireCaller(c, ["vendor"])).vendorId, [id]);
        return c.json({ id, status: row!.c.status, amount: formatMoney(row!.c.amount, row!.c.currency), currency: row!.c.currency }, 200);
      },
    );
    app.openapi(
      createRoute({ method: "post", path: `/api/v1/commissions/${name}`, tags: ["Commissions"], summary: `${name === "approve" ? "Approve" : "Reject"} commissions in bulk`, request: { body: jsonBody(Ids) }, responses: { 200: jsonResponse(ActionResult, "which changed, which were unknown, which were in another status"), ...errorResponses } }),
      async (c) => c.json(await action(name)(c, [...new Set(c.req.valid("json").ids)]), 200),
    );
  }
  return app;
}
