import { partnerJson } from "./present";
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { PARTNER_STATUSES } from "../../db/schema";
import { getPartner, getVendorPartner } from "../../db/queries/partners";
import { getProgram } from "../../db/queries/programs";
import { changePartner } from "../../services/management/partners";
import { rotatePartnerKeyOf } from "../../services/management/keys";
import type { AppEnv } from "../deps";
import { ApiError, notFound } from "../errors";
import { actorOf, requireCaller } from "../middleware/auth";
import { unwrap } from "./outcome";
import { PartnerCoupon, PartnerEmail, PartnerName } from "./partnersLinks";
import { partnerWithStage } from "./lifecyclePresent";
import { createRouter } from "./router";
import { PostbackUrl } from "./postbacks";
import { checkPostbackUrl } from "../../services/webhooks/postbacks";
import { conflictResponse, errorResponses, IdParam, jsonBody, jsonResponse, LeadProfilePatch, Partner } from "./schemas";

const PatchPartner = z
  .object({
    name: PartnerName.optional(), email: PartnerEmail.optional(), coupon: PartnerCoupon.nullable().optional().openapi({ description: "null removes the coupon" }),
    status: z.enum(PARTNER_STATUSES).optional(), profile: LeadProfilePatch.optional(), postbackUrl: PostbackUrl.optional(),
  })
  .openapi("PartnerPatch");
const NewPartnerKey = z.object({ apiKey: z.string() }).openapi("NewPartnerKey");

/** A partner of one of the vendor's programs (with the program), or 404. */
async function vendorPartner(c: Context<AppEnv>, id: string) {
  const caller = await requireCaller(c, ["vendor"]);
  const partner = await getVendorPartner(c.var.deps.db, caller.vendorId, id);
  const program = partner && (await getProgram(c.var.deps.db, partner.programId));
  if (!partner || !program) throw notFound("partner");
  return { partner, program, actor: actorOf(caller) };
}

export function partnerRoutes() {
  const app = createRouter();

  app.openapi(
    createRoute({
      method: "patch", path: "/api/v1/partners/{id}", tags: ["Partners"], summary: "Change a partner's name, email, coupon, status or lead profile",
      description: "Emails and coupons are unique per program whatever their case (409). Statuses: approved, deactivated, banned.",
      request: { params: IdParam, body: jsonBody(PatchPartner) }, responses: { 200: jsonResponse(Partner, "the partner"), 409: conflictResponse, ...errorResponses },
    }),
    async (c) => {
      const { partner, program, actor } = await vendorPartner(c, c.req.valid("param").id);
      const { db, now } = c.var.deps;
      const { postbackUrl, ...input } = c.req.valid("json");
      const changes = postbackUrl === undefined ? input : { ...input, postbackUrl: unwrap(await checkPostbackUrl(db, postbackUrl, c.var.deps.webhookTargets ?? { allowPrivate: false })) };
      return c.json(await partnerWithStage(db, unwrap(await changePartner(db, program, partner, changes, actor, now())), now(), c.var.deps), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get", path: "/api/v1/partners/{id}", tags: ["Partners"], summary: "A partner, with its journey stage explained in stageReason",
      request: { params: IdParam }, responses: { 200: jsonResponse(Partner, "the partner"), ...errorResponses },
    }),
    async (c) => {
      const { partner } = await vendorPartner(c, c.req.valid("param").id);
      return c.json(await partnerWithStage(c.var.deps.db, partner, c.var.deps.now(), c.var.deps), 200);
    },
  );

  app.openapi(
    createRoute({ method: "post", path: "/api/v1/partners/{id}/rotate-key", tags: ["Partners"], summary: "Give a partner a new key (shown once); the old one stops at once", request: { params: IdParam }, responses: { 200: jsonResponse(NewPartnerKey, "the new key"), ...errorResponses } }),
    async (c) => {
      const { partner, program, actor } = await vendorPartner(c, c.req.valid("param").id);
      return c.json({ apiKey: await rotatePartnerKeyOf(c.var.deps.db, program, partner, c.var.deps.now(), actor) }, 200);
    },
  );



  app.openapi(
    createRoute({ method: "post", path: "/api/v1/me/rotate-key", tags: ["Partner"], summary: "Replace my key (shown once); the one used for this call stops at once", responses: { 200: jsonResponse(NewPartnerKey, "the new key"), ...errorResponses } }),
    async (c) => {
      const caller = await requireCaller(c, ["partner"]);
      const partner = await getPartner(c.var.deps.db, caller.partnerId!);
      const program = partner && (await getProgram(c.var.deps.db, partner.programId));
      if (!partner || !program) throw new ApiError("unauthorized", "the key's partner no longer exists");
      return c.json({ apiKey: await rotatePartnerKeyOf(c.var.deps.db, program, partner, c.var.deps.now(), actorOf(caller)) }, 200);
    },
  );
  return app;
}
