import { createRoute, z } from "@hono/zod-openapi";
import { listDeliveries } from "../../db/queries/webhooks";
import { MAX_TARGET_URL_LENGTH } from "../../domain/webhookTargets";
import { changePartner } from "../../services/management/partners";
import { checkPostbackUrl } from "../../services/webhooks/postbacks";
import type { AppEnv } from "../deps";
import { mePartner } from "./commissionsMe";
import { unwrap } from "./outcome";
import { deliveryJson, partnerJson } from "./present";
import { createRouter } from "./router";
import { Cursor, errorResponses, jsonBody, jsonResponse, LeadProfilePatch, listOf, Partner } from "./schemas";
import { Delivery } from "./webhooks";
import type { Context } from "hono";

export const PostbackUrl = z
  .string()
  .max(MAX_TARGET_URL_LENGTH)
  .nullable()
  .openapi({
    description: "URL template fired (GET) for each attributed conversion; macros {click_id} {sub1}…{sub5} {order_id} {event} {amount} {commission} {currency} {status}; null stops postbacks",
    example: "https://tracker.example.com/postback?cid={click_id}&payout={commission}",
  });

const PatchMe = z.object({ postbackUrl: PostbackUrl.optional(), profile: LeadProfilePatch.optional() }).openapi("MePatch");

const policyOf = (c: Context<AppEnv>) => c.var.deps.webhookTargets ?? { allowPrivate: false };

/** A partner's own postback URL and its delivery log. */
export function postbackRoutes() {
  const app = createRouter();

  app.openapi(
    createRoute({
      method: "patch", path: "/api/v1/me", tags: ["Partner"], summary: "Change my postback URL or my lead profile (countries, verticals, capacity)",
      description: "The postback URL is checked by the webhook target rules (https, public host) when set (400) and again at each delivery.",
      request: { body: jsonBody(PatchMe) }, responses: { 200: jsonResponse(Partner, "the partner"), ...errorResponses },
    }),
    async (c) => {
      const { partner, program, actor } = await mePartner(c);
      const body = c.req.valid("json");
      if (body.postbackUrl === undefined && body.profile === undefined) return c.json(partnerJson(partner), 200);
      const changes = {
        ...(body.postbackUrl === undefined ? {} : { postbackUrl: unwrap(await checkPostbackUrl(c.var.deps.db, body.postbackUrl, policyOf(c))) }),
        ...(body.profile === undefined ? {} : { profile: body.profile }),
      };
      return c.json(partnerJson(unwrap(await changePartner(c.var.deps.db, program, partner, changes, actor, c.var.deps.now()))), 200);
    },
  );

  app.openapi(
    createRoute({ method: "get", path: "/api/v1/me/postbacks", tags: ["Partner"], summary: "My postback deliveries: one row per attempt, newest first", request: { query: Cursor }, responses: { 200: jsonResponse(listOf(Delivery), "attempts"), ...errorResponses } }),
    async (c) => {
      const { partner } = await mePartner(c);
      const q = c.req.valid("query");
      const page = await listDeliveries(c.var.deps.db, "postback", partner.id, { limit: q.limit, cursor: q.cursor ?? null });
      return c.json({ data: page.data.map(deliveryJson), nextCursor: page.nextCursor }, 200);
    },
  );
  return app;
}
