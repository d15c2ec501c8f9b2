import { createRoute, z } from "@hono/zod-openapi";
import { listLinkClicks } from "../../db/queries/clickList";
import { getLink } from "../../db/queries/links";
import { getVendorProgram } from "../../db/queries/programs";
import { utcDay } from "../../domain/reporting";
import { DAY_MS } from "../../domain/traffic";
import { invalid, notFound } from "../errors";
import { requireCaller } from "../middleware/auth";
import { dayParam } from "./dateParams";
import { iso } from "./present";
import { createRouter } from "./router";
import { Cursor, errorResponses, IdParam, jsonResponse, listOf } from "./schemas";

const ClickQuery = Cursor.extend({
  from: z.string().max(10).optional().openapi({ description: "first UTC day, YYYY-MM-DD (default: 29 days before `to`)" }),
  to: z.string().max(10).optional().openapi({ description: "last UTC day, YYYY-MM-DD, inclusive (default: today)" }),
});
const Click = z
  .object({
    id: z.string(), at: z.string(), bot: z.boolean(), country: z.string().nullable(), device: z.string(), browser: z.string().nullable(), os: z.string().nullable(),
    referrerHost: z.string().nullable(), sub1: z.string().nullable(), sub2: z.string().nullable(), sub3: z.string().nullable(), sub4: z.string().nullable(), sub5: z.string().nullable(),
  })
  .openapi("Click");

export function linkClickRoutes() {
  const app = createRouter();
  app.openapi(
    createRoute({ method: "get", path: "/api/v1/links/{id}/clicks", tags: ["Links"], summary: "A link's stored clicks, newest first (never an IP or visitor hash)", request: { params: IdParam, query: ClickQuery }, responses: { 200: jsonResponse(listOf(Click), "clicks"), ...errorResponses } }),
    async (c) => {
      const caller = await requireCaller(c, ["vendor"]);
      const { db } = c.var.deps;
      const link = await getLink(db, c.req.valid("param").id);
      if (!link || !(await getVendorProgram(db, caller.vendorId, link.programId))) throw notFound("link");
      const q = c.req.valid("query");
      const now = c.var.deps.now();
      const toDay = q.to ? dayParam("to", q.to, now) : utcDay(now);
      const fromDay = q.from ? dayParam("from", q.from, now) : toDay - 29;
      if (fromDay > toDay) throw invalid("from", "must not be after `to`");
      const page = await listLinkClicks(db, link.num, { fromMs: fromDay * DAY_MS, toMs: (toDay + 1) * DAY_MS }, { limit: q.limit, cursor: q.cursor ?? null });
      const data = page.data.map(({ ts, ...r }) => ({ ...r, at: iso(ts) }));
      return c.json({ data, nextCursor: page.nextCursor }, 200);
    },
  );
  return app;
}
