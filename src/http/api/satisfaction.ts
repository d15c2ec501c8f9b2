import { createRoute, z } from "@hono/zod-openapi";
import { DAY_MS } from "../../domain/dates";
import { MAX_COMMENT_CHARS } from "../../domain/satisfaction";
import { MAX_REPORTED_COMMENTS, satisfactionReport, submitSatisfaction } from "../../services/lifecycle/satisfaction";
import { callerPartner } from "./agreements";
import { PeriodQuery, periodParams } from "./kpis";
import { unwrap } from "./outcome";
import { iso } from "./present";
import { vendorProgram } from "./programs";
import { createRouter } from "./router";
import { conflictResponse, errorResponses, IdParam, jsonBody, jsonResponse } from "./schemas";

const SatisfactionInput = z
  .object({ score: z.number().int().min(0).max(10), comment: z.string().max(MAX_COMMENT_CHARS).optional() })
  .openapi("SatisfactionInput");
const SatisfactionAnswer = z.object({ id: z.string(), score: z.number().int(), comment: z.string().nullable(), quarter: z.string().openapi({ example: "2026-Q4" }), at: z.string() }).openapi("SatisfactionAnswer");
const Satisfaction = z
  .object({
    responses: z.number().int(),
    nps: z.number().int().min(-100).max(100).nullable().openapi({ description: "% promoters (9–10) − % detractors (0–6), rounded; null without responses" }),
    average: z.number().nullable().openapi({ example: 7.25, description: "mean score, two decimals; null without responses" }),
    comments: z.array(z.object({ score: z.number().int(), comment: z.string(), partnerId: z.string(), at: z.string() })),
    from: z.string(), to: z.string(),
  })
  .openapi("ProgramSatisfaction");

export function satisfactionRoutes() {
  const app = createRouter();

  app.openapi(
    createRoute({
      method: "post", path: "/api/v1/me/satisfaction", tags: ["Partner"], summary: "Answer the quarterly satisfaction question (0–10)",
      description: "Once per partner and UTC calendar quarter: a second answer in the same quarter is 409.",
      request: { body: jsonBody(SatisfactionInput) },
      responses: { 201: jsonResponse(SatisfactionAnswer, "recorded"), 409: conflictResponse, ...errorResponses },
    }),
    async (c) => {
      const partner = await callerPartner(c);
      const row = unwrap(await submitSatisfaction(c.var.deps.db, partner, c.req.valid("json"), c.var.deps.now()));
      return c.json({ id: row.id, score: row.score, comment: row.comment, quarter: row.quarter, at: iso(row.createdAt) }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: "get", path: "/api/v1/programs/{id}/satisfaction", tags: ["Programs"], summary: "Partner satisfaction for a period (UTC days, inclusive; default the last 30)",
      description: `Answers given in the period: their count, the NPS, the average score and the newest ${MAX_REPORTED_COMMENTS} comments (newest first).`,
      request: { params: IdParam, query: PeriodQuery },
      responses: { 200: jsonResponse(Satisfaction, "the summary"), ...errorResponses },
    }),
    async (c) => {
      const { program } = await vendorProgram(c, c.req.valid("param").id);
      const p = periodParams(c.req.valid("query"), c.var.deps.now());
      const report = await satisfactionReport(c.var.deps.db, program.id, { from: p.fromDay * DAY_MS, to: (p.toDay + 1) * DAY_MS });
      return c.json({ ...report, from: p.from, to: p.to }, 200);
    },
  );
  return app;
}
