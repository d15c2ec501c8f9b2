import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { getVendorRule, listProgramRules } from "../../db/queries/programs";
import { archiveCommissionRule, changeRule } from "../../services/management/rules";
import type { AppEnv } from "../deps";
import { notFound } from "../errors";
import { actorOf, requireCaller } from "../middleware/auth";
import { unwrap } from "./outcome";
import { ruleJson } from "./present";
import { vendorProgram } from "./programs";
import { createRouter } from "./router";
import { conflictResponse, DurationMonths, errorResponses, IdParam, jsonBody, jsonResponse, MoneyInput, Rule } from "./schemas";

const PatchRule = z.object({ type: z.enum(["percent", "flat"]).optional(), value: MoneyInput.optional(), durationMonths: DurationMonths.optional() }).openapi("RulePatch");
const RuleListQuery = z.object({ all: z.enum(["0", "1", "true", "false"]).optional().openapi({ description: "1: archived rules too" }) });

/** A rule of one of the vendor's programs, or 404. */
async function vendorRule(c: Context<AppEnv>, id: string) {
  const caller = await requireCaller(c, ["vendor"]);
  const found = await getVendorRule(c.var.deps.db, caller.vendorId, id);
  if (!found) throw notFound("rule");
  return { ...found, actor: actorOf(caller) };
}

export function ruleRoutes() {
  const app = createRouter();

  app.openapi(
    createRoute({ method: "get", path: "/api/v1/programs/{id}/rules", tags: ["Programs"], summary: "List commission rules (active; ?all=1 archived too), newest first", request: { params: IdParam, query: RuleListQuery }, responses: { 200: jsonResponse(z.object({ data: z.array(Rule) }), "rules"), ...errorResponses } }),
    async (c) => {
      const { program } = await vendorProgram(c, c.req.valid("param").id);
      const all = ["1", "true"].includes(c.req.valid("query").all ?? "0");
      const rules = await listProgramRules(c.var.deps.db, program.id, { archived: all });
      return c.json({ data: rules.map((r) => ruleJson(r, program.currency)) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "patch", path: "/api/v1/rules/{id}", tags: ["Programs"], summary: "Change a rule's type or value",
      description: "New conversions are priced with it at once; existing commissions keep the amount, type and value they were priced with. A new type needs a value.",
      request: { params: IdParam, body: jsonBody(PatchRule) }, responses: { 200: jsonResponse(Rule, "the rule"), 409: conflictResponse, ...errorResponses },
    }),
    async (c) => {
      const { rule, program, actor } = await vendorRule(c, c.req.valid("param").id);
      const updated = unwrap(await changeRule(c.var.deps.db, program, rule, c.req.valid("json"), actor, c.var.deps.now()));
      return c.json(ruleJson(updated, program.currency), 200);
    },
  );

  app.openapi(
    createRoute({ method: "delete", path: "/api/v1/rules/{id}", tags: ["Programs"], summary: "Archive a rule (it prices nothing new; commissions keep naming it)", request: { params: IdParam }, responses: { 200: jsonResponse(Rule, "the archived rule"), ...errorResponses } }),
    async (c) => {
      const { rule, program, actor } = await vendorRule(c, c.req.valid("param").id);
      const archived = unwrap(await archiveCommissionRule(c.var.deps.db, program, rule, c.var.deps.now(), actor));
      return c.json(ruleJson(archived, program.currency), 200);
    },
  );
  return app;
}
