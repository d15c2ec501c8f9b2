import { createRoute, z } from "@hono/zod-openapi";
import { listAudit } from "../../db/queries/events";
import { getVendorProgram } from "../../db/queries/programs";
import { notFound } from "../errors";
import { requireCaller } from "../middleware/auth";
import { rangeBoundParam } from "./dateParams";
import { auditEntryJson } from "./present";
import { createRouter } from "./router";
import { Cursor, errorResponses, jsonResponse, listOf } from "./schemas";

const AuditQuery = Cursor.extend({
  programId: z.string().max(100).optional(),
  objectId: z.string().max(100).optional().openapi({ description: "only the changes of this object (a rule, a partner, a key id…)" }),
  from: z.string().max(40).optional().openapi({ description: "UTC day YYYY-MM-DD (or an ISO-8601 instant), inclusive" }),
  to: z.string().max(40).optional().openapi({ description: "UTC day YYYY-MM-DD, inclusive (or an ISO-8601 instant, exclusive)" }),
});

export const AuditEntry = z
  .object({
    id: z.string(),
    at: z.string(),
    actor: z.object({ kind: z.enum(["vendor", "partner", "operator", "system"]), keyId: z.string().optional(), partnerId: z.string().optional() }),
    action: z.string().openapi({ example: "commission.approve" }),
    programId: z.string().nullable(),
    object: z.object({ type: z.string().openapi({ example: "commission" }), id: z.string() }),
    changes: z.record(z.string(), z.tuple([z.any(), z.any()])).openapi({ description: "{field: [before, after]}" }),
  })
  .openapi("AuditEntry");

export function auditRoutes() {
  const app = createRouter();
  app.openapi(
    createRoute({
      method: "get", path: "/api/v1/audit", tags: ["Audit"], summary: "Who changed what, newest first",
      description: "Every change made by a manager or a partner (API or dashboard): settings, rules, tiers, partners, keys (by id, never the secret), commission decisions, payouts, links.",
      request: { query: AuditQuery }, responses: { 200: jsonResponse(listOf(AuditEntry), "audit entries, newest first"), ...errorResponses },
    }),
    async (c) => {
      const caller = await requireCaller(c, ["vendor"]);
      const q = c.req.valid("query");
      const { db, now } = c.var.deps;
      if (q.programId !== undefined && !(await getVendorProgram(db, caller.vendorId, q.programId))) throw notFound("program");
      const from = q.from ? rangeBoundParam("from", q.from, now()) : undefined;
      const to = q.to ? rangeBoundParam("to", q.to, now()) : undefined;
      const page = await listAudit(db, { vendorId: caller.vendorId, programId: q.programId, objectId: q.objectId, from, to }, { limit: q.limit, cursor: q.cursor ?? null });
      return c.json({ data: page.data.map(auditEntryJson), nextCursor: page.nextCursor }, 200) as never;
    },
  );
  return app;
}
