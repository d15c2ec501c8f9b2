import { createRoute, z } from "@hono/zod-openapi";
import { utcDay } from "../../domain/reporting";
import { programKpiReport } from "../../services/lifecycle/kpis";
import type { AppEnv } from "../deps";
import { invalid } from "../errors";
import { dayParam } from "./dateParams";
import { vendorProgram } from "./programs";
import { createRouter } from "./router";
import { errorResponses, IdParam, jsonResponse } from "./schemas";

const MAX_DAYS = 731;
const Rate = z.string().nullable().openapi({ example: "0.25", description: "decimal string, null when there is nothing to divide by" });
const Kpis = z
  .object({
    applications: z.object({ submitted: z.number(), approved: z.number(), rejected: z.number(), approvalRate: Rate }),
    partners: z.object({ new: z.number(), active: z.number(), byStage: z.object({ interest: z.number(), recruitment: z.number(), activation: z.number(), investment: z.number(), devotion: z.number() }) }),
    activationRate: Rate, medianDaysToFirstConversion: z.number().nullable(), partnerSourcedRevenue: z.string(), revenuePerActivePartner: z.string().nullable(),
    retention: Rate, joinSources: z.array(z.object({ source: z.string().nullable(), applications: z.number(), approved: z.number() })),
    satisfaction: z.object({ responses: z.number(), nps: z.number().nullable() }), currency: z.string(), from: z.string(), to: z.string(),
  })
  .openapi("ProgramKpis");

/** The `from`/`to` query of a program period: UTC days, inclusive, default the last 30; `400` naming the bad one. */
export const PeriodQuery = z.object({ from: z.string().max(10).optional(), to: z.string().max(10).optional() });
export function periodParams(q: { from?: string | undefined; to?: string | undefined }, now: number) {
  const toDay = q.to ? dayParam("to", q.to, now) : utcDay(now);
  const fromDay = q.from ? dayParam("from", q.from, now) : toDay - 29;
  if (fromDay > toDay) throw invalid("from", "must not be after `to`");
  if (toDay - fromDay >= MAX_DAYS) throw invalid("from", `a period spans at most ${MAX_DAYS} days`);
  const day = (d: number) => new Date(d * 86_400_000).toISOString().slice(0, 10);
  return { fromDay, toDay, from: day(fromDay), to: day(toDay) };
}

export function kpiRoutes() {
  const app = createRouter();
  app.openapi(
    createRoute({
      method: "get", path: "/api/v1/programs/{id}/kpis", tags: ["Programs"], summary: "Program KPIs of the partner journey for a period (UTC days, inclusive; default the last 30)",
      description: "applications = submitted in the period (approved/rejected of those); new = partners approved in the period; activationRate = share of new partners with an attributed conversion by `to`; medianDaysToFirstConversion over them; active = partners with an attributed conversion in the period; byStage = today's stages (interest = pending applications); partnerSourcedRevenue = the report's revenue total; retention = share of partners active in the previous period of equal length who are active in this one; satisfaction = the partners' answers given in the period (NPS as in /satisfaction).",
      request: { params: IdParam, query: PeriodQuery },
      responses: { 200: jsonResponse(Kpis, "the KPIs"), ...errorResponses },
    }),
    async (c) => {
      const { program } = await vendorProgram(c, c.req.valid("param").id);
      const now = c.var.deps.now();
      const { fromDay, toDay, from, to } = periodParams(c.req.valid("query"), now);
      return c.json({ ...(await programKpiReport(c.var.deps.db, program, fromDay, toDay, now)), from, to }, 200);
    },
  );
  return app;
}
