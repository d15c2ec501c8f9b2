import { createRoute, z } from "@hono/zod-openapi";
import { getPartnerAnnouncement, listPartnerAnnouncements, listProgramAnnouncements, markAnnouncementRead } from "../../db/queries/announcements";
import { announcementObject, MAX_ANNOUNCEMENT_BODY, MAX_ANNOUNCEMENT_TITLE } from "../../domain/announcements";
import { publishAnnouncement } from "../../services/lifecycle/announcements";
import { notFound } from "../errors";
import { callerPartner } from "./agreements";
import { unwrap } from "./outcome";
import { iso } from "./present";
import { vendorProgram } from "./programs";
import { createRouter } from "./router";
import { Cursor, errorResponses, IdParam, jsonBody, jsonResponse, listOf } from "./schemas";

const Announcement = z
  .object({
    id: z.string(), programId: z.string(), title: z.string(), body: z.string(),
    tierIds: z.array(z.string()).nullable().openapi({ description: "the tiers whose partners see it; null: every partner" }),
    publishedAt: z.string(),
  })
  .openapi("Announcement");
const ManagerAnnouncement = Announcement.extend({ readCount: z.number().int().openapi({ description: "partners who marked it read" }) }).openapi("ProgramAnnouncement");
const MyAnnouncement = Announcement.extend({ readAt: z.string().nullable() }).openapi("MyAnnouncement");

const AnnouncementInput = z
  .object({
    title: z.string().trim().min(1).max(MAX_ANNOUNCEMENT_TITLE),
    body: z.string().min(1).max(MAX_ANNOUNCEMENT_BODY),
    tierIds: z.array(z.string().min(1).max(100)).min(1).max(100).optional().openapi({ description: "only partners in these tiers of the program see it; all partners when absent" }),
  })
  .openapi("AnnouncementInput");

export function announcementRoutes() {
  const app = createRouter();

  app.openapi(
    createRoute({
      method: "post", path: "/api/v1/programs/{id}/announcements", tags: ["Announcements"], summary: "Publish an announcement to the program's partners",
      description: "Only partners in `tierIds` (all when absent) see it; each approved one of them is mailed. Writes the `announcement.published` event in the same transaction. A tier of another program is 400.",
      request: { params: IdParam, body: jsonBody(AnnouncementInput) },
      responses: { 201: jsonResponse(Announcement, "published"), ...errorResponses },
    }),
    async (c) => {
      const { program, actor } = await vendorProgram(c, c.req.valid("param").id);
      const row = unwrap(await publishAnnouncement(c.var.deps.db, program, c.req.valid("json"), actor, c.var.deps.now()));
      return c.json(announcementObject(row), 201);
    },
  );

  app.openapi(
    createRoute({
      method: "get", path: "/api/v1/programs/{id}/announcements", tags: ["Announcements"], summary: "The program's announcements, newest first, with how many partners read each",
      request: { params: IdParam, query: Cursor.extend({ tierId: z.string().max(100).optional().openapi({ description: "only those partners of this tier see (for all, or naming it)" }) }) },
      responses: { 200: jsonResponse(listOf(ManagerAnnouncement), "announcements"), ...errorResponses },
    }),
    async (c) => {
      const { program } = await vendorProgram(c, c.req.valid("param").id);
      const q = c.req.valid("query");
      const page = await listProgramAnnouncements(c.var.deps.db, program.id, { limit: q.limit, cursor: q.cursor ?? null }, { tierId: q.tierId });
      return c.json({ data: page.data.map((a) => ({ ...announcementObject(a), readCount: a.readCount })), nextCursor: page.nextCursor }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get", path: "/api/v1/me/announcements", tags: ["Partner"], summary: "Announcements for me (my tier or everyone), newest first, each with readAt",
      request: { query: Cursor.extend({ unread: z.enum(["true", "false"]).optional().openapi({ description: "true: only those I have not read" }) }) },
      responses: { 200: jsonResponse(listOf(MyAnnouncement), "announcements"), ...errorResponses },
    }),
    async (c) => {
      const partner = await callerPartner(c);
      const q = c.req.valid("query");
      const page = await listPartnerAnnouncements(c.var.deps.db, partner, { limit: q.limit, cursor: q.cursor ?? null }, { unreadOnly: q.unread === "true" });
      return c.json({ data: page.data.map((a) => ({ ...announcementObject(a), readAt: a.readAt === null ? null : iso(a.readAt) })), nextCursor: page.nextCursor }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post", path: "/api/v1/me/announcements/{id}/read", tags: ["Partner"], summary: "Mark an announcement read",
      description: "Idempotent: marking it again keeps the first readAt. An announcement not meant for me (another program or tier) is 404.",
      request: { params: IdParam }, responses: { 200: jsonResponse(MyAnnouncement, "read"), ...errorResponses },
    }),
    async (c) => {
      const partner = await callerPartner(c);
      const { db, now } = c.var.deps;
      const found = await getPartnerAnnouncement(db, partner, c.req.valid("param").id);
      if (!found) throw notFound("announcement");
      const readAt = await markAnnouncementRead(db, found.id, partner.id, now());
      return c.json({ ...announcementObject(found), readAt: iso(readAt) }, 200);
    },
  );
  return app;
}
