import { createRoute, z } from "@hono/zod-openapi";
import { getProgram } from "../../db/queries/programs";
import { getStripeIntegration, listStripeEvents, type StripeEventRow } from "../../db/queries/stripe";
import { STRIPE_OUTCOMES } from "../../db/schema";
import { planStripeEvent, STRIPE_WEBHOOK_SECRET } from "../../domain/stripe";
import { applyStripeEvent, connectStripe, saleFields, stripeEndpoint as endpointOf, verifyStripeEvent } from "../../services/integrations/stripe";
import type { AppEnv } from "../deps";
import { ApiError, invalid, notFound } from "../errors";
import { toConversionInput } from "../tracking/conversionInput";
import { iso } from "./present";
import { vendorProgram } from "./programs";
import { createRouter } from "./router";
import { conflictResponse, Cursor, errorResponses, ErrorEnvelope, IdParam, jsonBody, jsonResponse, listOf } from "./schemas";

const StripeConnect = z
  .object({ webhookSecret: z.string().regex(STRIPE_WEBHOOK_SECRET, "must be the endpoint's signing secret, starting whsec_").openapi({ example: "whsec_…" }) })
  .openapi("StripeConnect");
const StripeEndpoint = z.object({ endpoint: z.string().openapi({ example: "https://go.example.com/v1/integrations/stripe/prg_…" }) }).openapi("StripeEndpoint");
const StripeStatus = StripeEndpoint.extend({ connected: z.boolean(), connectedAt: z.string().nullable(), updatedAt: z.string().nullable() }).openapi("StripeStatus");
const StripeEvent = z
  .object({
    id: z.string().openapi({ description: "the Stripe event id" }), type: z.string(), receivedAt: z.string(),
    outcome: z.enum(STRIPE_OUTCOMES), conversionId: z.string().nullable().openapi({ description: "the conversion it recorded, found already recorded, or refunded" }),
    detail: z.string(),
  })
  .openapi("StripeEvent");
const StripeReceipt = StripeEvent.extend({ received: z.literal(true), duplicate: z.boolean().openapi({ description: "a redelivery: nothing changed" }) }).openapi("StripeReceipt");
const ProgramIdParam = z.object({ programId: z.string().min(1).max(100) });

const eventJson = (e: StripeEventRow) => ({ id: e.id, type: e.type, receivedAt: iso(e.createdAt), outcome: e.outcome, conversionId: e.conversionId, detail: e.detail });

export function stripeRoutes() {
  const app = createRouter();

  app.openapi(
    createRoute({
      method: "put", path: "/api/v1/programs/{id}/integrations/stripe", tags: ["Integrations"], summary: "Connect Stripe: store the webhook endpoint's signing secret",
      description: "The secret is kept encrypted and is never shown again; PUT again to replace it. Point a Stripe webhook endpoint at the answered URL with the events checkout.session.completed, invoice.paid and charge.refunded.",
      request: { params: IdParam, body: jsonBody(StripeConnect) }, responses: { 200: jsonResponse(StripeEndpoint, "the URL to give Stripe"), ...errorResponses },
    }),
    async (c) => {
      const { program, actor } = await vendorProgram(c, c.req.valid("param").id);
      const { deps } = c.var;
      await connectStripe(deps.db, deps.secret, program, c.req.valid("json").webhookSecret, deps.now(), actor);
      // absolute URLs come from AFFLUX_PUBLIC_URL, never from the request's Host
      return c.json({ endpoint: endpointOf(deps.publicUrl, program.id) }, 200);
    },
  );

  app.openapi(
    createRoute({ method: "get", path: "/api/v1/programs/{id}/integrations/stripe", tags: ["Integrations"], summary: "Whether Stripe is connected, and its endpoint URL (never the secret)", request: { params: IdParam }, responses: { 200: jsonResponse(StripeStatus, "the connection"), ...errorResponses } }),
    async (c) => {
      const { program } = await vendorProgram(c, c.req.valid("param").id);
      const found = await getStripeIntegration(c.var.deps.db, program.id);
      return c.json({ endpoint: endpointOf(c.var.deps.publicUrl, program.id), connected: found !== null, connectedAt: found ? iso(found.createdAt) : null, updatedAt: found ? iso(found.updatedAt) : null }, 200);
    },
  );

  app.openapi(
    createRoute({ method: "get", path: "/api/v1/programs/{id}/integrations/stripe/events", tags: ["Integrations"], summary: "Stripe events received, newest first, with what each became", request: { params: IdParam, query: Cursor }, responses: { 200: jsonResponse(listOf(StripeEvent), "events"), ...errorResponses } }),
    async (c) => {
      const { program } = await vendorProgram(c, c.req.valid("param").id);
      const q = c.req.valid("query");
      const page = await listStripeEvents(c.var.deps.db, program.id, { limit: q.limit, cursor: q.cursor ?? null });
      return c.json({ data: page.data.map(eventJson), nextCursor: page.nextCursor }, 200);
    },
  );

  // Documented only: the handler must read the raw body (the signature covers Stripe's exact
  // bytes), so no validator may parse it first.
  app.openAPIRegistry.registerPath(
    createRoute({
      method: "post", path: "/v1/integrations/stripe/{programId}", tags: ["Integrations"], security: [],
      summary: "Stripe webhook endpoint (verified with the Stripe-Signature header)",
      description: "checkout.session.completed → a sale of amount_total (a lead at 0), orderId = the invoice id or else the session id, click id from metadata.afx_click or client_reference_id, customer from customer, coupon from an expanded promotion code; invoice.paid → a sale of amount_paid for the customer (orderId = the invoice id; not counted twice when its checkout session recorded it); charge.refunded → a refund of the conversion of the charge's invoice or payment intent, up to amount_refunded. Each event is applied once by its id (a redelivery answers 200 and changes nothing); other types answer 200 and are ignored. A bad, missing or older than 300 s signature is 400 and records nothing.",
      request: { params: ProgramIdParam, headers: z.object({ "stripe-signature": z.string().optional() }), body: { content: { "application/json": { schema: z.object({ id: z.string(), type: z.string(), data: z.object({ object: z.record(z.string(), z.unknown()) }) }).openapi("StripeWebhookEvent") } }, required: true } },
      responses: {
        200: jsonResponse(StripeReceipt, "applied, ignored, or a redelivery"),
        400: { description: "bad or missing signature, or an event the program cannot take (e.g. another currency)", content: { "application/json": { schema: ErrorEnvelope } } },
        404: { description: "no such program, or Stripe is not connected", content: { "application/json": { schema: ErrorEnvelope } } },
        409: conflictResponse,
      },
    }),
  );

  app.post("/v1/integrations/stripe/:programId", async (c) => {
    const { deps } = c.var;
    const programId = c.req.param("programId");
    const program = programId.length <= 100 ? (deps.reads ? await deps.reads.program(programId) : await getProgram(deps.db, programId)) : null;
    if (!program) throw notFound("program");
    const payload = await c.req.text();
    const now = deps.now();
    const verified = await verifyStripeEvent(deps.db, deps.secret, program.id, payload, c.req.header("stripe-signature") ?? null, now);
    if (verified.kind === "not_connected") throw notFound("Stripe integration of this program");
    if (verified.kind === "bad_signature") throw invalid("Stripe-Signature", verified.message);
    if (verified.kind === "not_an_event") throw invalid("(body)", "the body is not a Stripe event (JSON with id, type and data)");
    const plan = planStripeEvent(verified.event, now);
    // the postback's checks: identifier limits, the program's currency, money
    const input = plan.kind === "sale" ? toConversionInput(saleFields(plan), program, "postback", now) : null;
    const applied = await applyStripeEvent(deps, program, verified.event, plan, input);
    if (applied.kind === "conflict") throw new ApiError("conflict", applied.message);
    if (applied.kind === "invalid") throw invalid(applied.path, applied.message);
    return c.json({ received: true as const, duplicate: applied.kind === "duplicate_event", ...eventJson(applied.row) }, 200);
  });
  return app;
}
