import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { getVendorEndpoint, listDeliveries, listEndpoints } from "../../db/queries/webhooks";
import { WEBHOOK_EVENTS } from "../../domain/webhooks";
import { MAX_TARGET_URL_LENGTH } from "../../domain/webhookTargets";
import { changeEndpoint, createEndpoint, removeEndpoint, retryDelivery, rotateEndpointSecret, sendTestEvent } from "../../services/webhooks/endpoints";
import type { AppEnv } from "../deps";
import { notFound } from "../errors";
import { actorOf, requireCaller } from "../middleware/auth";
import { unwrap } from "./outcome";
import { deliveryJson, endpointJson } from "./present";
import { createRouter } from "./router";
import { conflictResponse, Cursor, errorResponses, IdParam, jsonBody, jsonResponse, listOf } from "./schemas";

const EventFilter = z
  .array(z.enum(["*", ...WEBHOOK_EVENTS]))
  .min(1)
  .max(WEBHOOK_EVENTS.length + 1)
  .openapi({ description: `event names, or ["*"] for every event: ${WEBHOOK_EVENTS.join(", ")}`, example: ["conversion.created", "commission.updated"] });
const Url = z.string().min(1).max(MAX_TARGET_URL_LENGTH).openapi({ example: "https://hooks.example.com/afflux" });

const NewEndpoint = z.object({ url: Url, events: EventFilter, programId: z.string().max(100).optional() }).openapi("WebhookInput");
const PatchEndpoint = z.object({ url: Url.optional(), events: EventFilter.optional(), enabled: z.boolean().optional() }).openapi("WebhookPatch");
export const Webhook = z
  .object({
    id: z.string(), url: z.string(), events: z.array(z.string()), programId: z.string().nullable(), enabled: z.boolean(),
    disabledReason: z.string().nullable().openapi({ description: "`failing`: every attempt failed for 5 days; `manual`: PATCH enabled false" }),
    disabledAt: z.string().nullable(), createdAt: z.string(), secret: z.string().optional().openapi({ description: "only when created: shown once" }),
  })
  .openapi("Webhook");
export const Delivery = z
  .object({
    id: z.string(), eventId: z.string(), eventType: z.string(), attempt: z.number().int(), status: z.string(),
    at: z.string().nullable().openapi({ description: "when the attempt was made (null while pending)" }),
    statusCode: z.number().int().nullable().openapi({ description: "null when no answer" }), durationMs: z.number().int().nullable(), error: z.string().nullable(),
    responseExcerpt: z.string().nullable().openapi({ description: "the first 1 KiB of the answer's body" }),
    nextAttemptAt: z.string().nullable().openapi({ description: "pending: when it is due; failed: when the next attempt is due (null: none left)" }),
    url: z.string().nullable(),
  })
  .openapi("WebhookDelivery");

/** One of the calling vendor's endpoints, or 404. */
async function vendorEndpoint(c: Context<AppEnv>, id: string) {
  const caller = await requireCaller(c, ["vendor"]);
  const endpoint = await getVendorEndpoint(c.var.deps.db, caller.vendorId, id);
  if (!endpoint) throw notFound("webhook");
  return { caller, endpoint };
}

const policyOf = (c: Context<AppEnv>) => c.var.deps.webhookTargets ?? { allowPrivate: false };

export function webhookRoutes() {
  const app = createRouter();

  app.openapi(
    createRoute({
      method: "post", path: "/api/v1/webhooks", tags: ["Webhooks"], summary: "Add a webhook endpoint (its signing secret is shown once)",
      description: "https only; a host that is or resolves to a loopback, private, link-local, multicast or unspecified address is 400. Without programId: every program of the vendor.",
      request: { body: jsonBody(NewEndpoint) }, responses: { 201: jsonResponse(Webhook, "the endpoint with its secret"), ...errorResponses },
    }),
    async (c) => {
      const caller = await requireCaller(c, ["vendor"]);
      const { endpoint, secret } = unwrap(await createEndpoint(c.var.deps.db, c.var.deps.secret, caller.vendorId, c.req.valid("json"), policyOf(c), c.var.deps.now(), actorOf(caller)));
      return c.json({ ...endpointJson(endpoint), secret }, 201);
    },
  );

  app.openapi(
    createRoute({ method: "get", path: "/api/v1/webhooks", tags: ["Webhooks"], summary: "The vendor's webhook endpoints, newest first", request: { query: Cursor }, responses: { 200: jsonResponse(listOf(Webhook), "endpoints"), ...errorResponses } }),
    async (c) => {
      const caller = await requireCaller(c, ["vendor"]);
      const q = c.req.valid("query");
      const page = await listEndpoints(c.var.deps.db, caller.vendorId, { limit: q.limit, cursor: q.cursor ?? null });
      return c.json({ data: page.data.map(endpointJson), nextCursor: page.nextCursor }, 200);
    },
  );

  app.openapi(
    createRoute({ method: "get", path: "/api/v1/webhooks/{id}", tags: ["Webhooks"], summary: "One webhook endpoint", request: { params: IdParam }, responses: { 200: jsonResponse(Webhook, "the endpoint"), ...errorResponses } }),
    async (c) => c.json(endpointJson((await vendorEndpoint(c, c.req.valid("param").id)).endpoint), 200),
  );

  app.openapi(
    createRoute({
      method: "patch", path: "/api/v1/webhooks/{id}", tags: ["Webhooks"], summary: "Change an endpoint's url, events or enabled",
      description: "enabled: true brings back an endpoint disabled after 5 days of failures.",
      request: { params: IdParam, body: jsonBody(PatchEndpoint) }, responses: { 200: jsonResponse(Webhook, "the endpoint"), ...errorResponses },
    }),
    async (c) => {
      const { endpoint, caller } = await vendorEndpoint(c, c.req.valid("param").id);
      return c.json(endpointJson(unwrap(await changeEndpoint(c.var.deps.db, endpoint, c.req.valid("json"), policyOf(c), c.var.deps.now(), actorOf(caller)))), 200);
    },
  );

  app.openapi(
    createRoute({ method: "delete", path: "/api/v1/webhooks/{id}", tags: ["Webhooks"], summary: "Remove an endpoint and its delivery log", request: { params: IdParam }, responses: { 200: jsonResponse(z.object({ id: z.string(), deleted: z.boolean() }), "deleted"), ...errorResponses } }),
    async (c) => {
      const { endpoint, caller } = await vendorEndpoint(c, c.req.valid("param").id);
      await removeEndpoint(c.var.deps.db, endpoint, c.var.deps.now(), actorOf(caller));
      return c.json({ id: endpoint.id, deleted: true }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post", path: "/api/v1/webhooks/{id}/rotate-secret", tags: ["Webhooks"], summary: "A new signing secret (shown once); the old one keeps signing for 24 hours",
      request: { params: IdParam }, responses: { 200: jsonResponse(z.object({ secret: z.string() }), "the new secret"), ...errorResponses },
    }),
    async (c) => {
      const { endpoint, caller } = await vendorEndpoint(c, c.req.valid("param").id);
      return c.json({ secret: unwrap(await rotateEndpointSecret(c.var.deps.db, c.var.deps.secret, endpoint, c.var.deps.now(), actorOf(caller))) }, 200);
    },
  );

  app.openapi(
    createRoute({ method: "get", path: "/api/v1/webhooks/{id}/deliveries", tags: ["Webhooks"], summary: "An endpoint's delivery log: one row per attempt, newest first", request: { params: IdParam, query: Cursor }, responses: { 200: jsonResponse(listOf(Delivery), "attempts"), ...errorResponses } }),
    async (c) => {
      const { endpoint } = await vendorEndpoint(c, c.req.valid("param").id);
      const q = c.req.valid("query");
      const page = await listDeliveries(c.var.deps.db, "webhook", endpoint.id, { limit: q.limit, cursor: q.cursor ?? null });
      return c.json({ data: page.data.map(deliveryJson), nextCursor: page.nextCursor }, 200);
    },
  );

  app.openapi(
    createRoute({ method: "post", path: "/api/v1/webhooks/{id}/test", tags: ["Webhooks"], summary: "Send a `webhook.test` event to this endpoint now", request: { params: IdParam }, responses: { 202: jsonResponse(Delivery, "the queued attempt"), ...errorResponses } }),
    async (c) => {
      const { endpoint } = await vendorEndpoint(c, c.req.valid("param").id);
      return c.json(deliveryJson(await sendTestEvent(c.var.deps.db, endpoint, c.var.deps.now())), 202);
    },
  );

  app.openapi(
    createRoute({
      method: "post", path: "/api/v1/webhook-deliveries/{id}/retry", tags: ["Webhooks"], summary: "Send that event again at once (same webhook-id)",
      request: { params: IdParam }, responses: { 202: jsonResponse(Delivery, "the queued attempt"), 409: conflictResponse, ...errorResponses },
    }),
    async (c) => {
      const caller = await requireCaller(c, ["vendor"]);
      const db = c.var.deps.db;
      const queued = unwrap(await retryDelivery(db, caller.vendorId, c.req.valid("param").id, (id) => getVendorEndpoint(db, caller.vendorId, id), c.var.deps.now()));
      return c.json(deliveryJson(queued), 202);
    },
  );
  return app;
}
