import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { createHash } from "node:crypto";
import { claimIdempotency, commissionOf, findIdempotency, releaseIdempotency, saveIdempotentResponse } from "../../db/queries/conversions";
import { getProgram, type ProgramRow } from "../../db/queries/programs";
import { recordConversion } from "../../services/tracking/conversions";
import { refundConversion } from "../../services/tracking/refunds";
import { formatMoney, parseMoney } from "../../domain/money";
import { conversionJson } from "../api/present";
import { createRouter } from "../api/router";
import { Conversion, errorResponses, jsonBody, jsonResponse, MoneyInput } from "../api/schemas";
import type { AppDeps, AppEnv } from "../deps";
import { ApiError, invalid, notFound } from "../errors";
import { authenticate } from "../middleware/auth";
import { toConversionInput, type RawConversion } from "./conversionInput";

const Event = z.enum(["sale", "lead"]);
export const ConversionBody = z
  .object({
    orderId: z.string().min(1).max(200), event: Event, amount: MoneyInput.optional(), currency: z.string().max(10).optional(),
    clickId: z.string().max(200).optional(), customerId: z.string().min(1).max(200).optional(), coupon: z.string().max(100).optional(),
    customerEmail: z.string().max(254).optional().openapi({ description: "hashed with the server secret on arrival (never stored raw); a partner's own address holds the commission (self_referral)" }),
    occurredAt: z.string().max(40).optional(),
  })
  .openapi("ConversionInput");

const PostbackQuery = z.object({
  key: z.string().optional(), order: z.string().min(1).max(200), event: Event, amount: z.string().optional(), currency: z.string().max(10).optional(),
  click: z.string().max(200).optional(), customer: z.string().max(200).optional(), coupon: z.string().max(100).optional(), occurred: z.string().max(40).optional(),
  email: z.string().max(254).optional(),
});

const RefundBody = z.object({ orderId: z.string().min(1).max(200), event: Event.default("sale"), amount: MoneyInput.optional() }).openapi("RefundInput");

const conversionResponses = {
  201: jsonResponse(Conversion, "a new conversion"),
  200: jsonResponse(Conversion, "the stored conversion (a replay)"),
  409: jsonResponse(z.any(), "same order with another amount or currency"),
  ...errorResponses,
};

async function programOfPostbackKey(c: Context<AppEnv>, key: string | null) {
  const caller = await authenticate(c, key, ["postback"]);
  const { deps } = c.var;
  const program = deps.reads ? await deps.reads.program(caller.programId!) : await getProgram(deps.db, caller.programId!);
  if (!program) throw new ApiError("unauthorized", "the key's program no longer exists");
  return program;
}

/**
 * A postback of a known program: 201 with a new conversion, 200 with a replay or a superseded
 * pixel conversion; throws `ApiError` (invalid input, conflict) before anything is written.
 * Shared by the route and the Node fast path (postbackFastPath.ts).
 */
export async function answerPostback(deps: AppDeps, program: ProgramRow, raw: RawConversion): Promise<{ status: 200 | 201; json: ReturnType<typeof conversionJson> }> {
  const outcome = await recordConversion(deps, program, toConversionInput(raw, program, "postback", deps.now()));
  if (outcome.kind === "conflict") throw new ApiError("conflict", outcome.message);
  if (outcome.kind === "ignored") throw new Error("a postback was ignored like a pixel");
  return { status: outcome.kind === "created" ? 201 : 200, json: conversionJson(outcome.conversion, outcome.commission) };
}

async function record(c: Context<AppEnv>, key: string | null, raw: RawConversion) {
  // Hono answers HEAD with the GET handler; link checkers and prefetchers must not record sales.
  if (c.req.method === "HEAD") throw new ApiError("validation_failed", "HEAD does not record conversions; send GET");
  const program = await programOfPostbackKey(c, key);
  const { status, json } = await answerPostback(c.var.deps, program, raw);
  return c.json(json, status);
}

function bearerOf(c: Context): string | null {
  return /^Bearer\s+(\S+)/i.exec(c.req.header("authorization") ?? "")?.[1] ?? null;
}

export function conversionRoutes() {
  const app = createRouter();

  app.openapi(
    createRoute({ method: "post", path: "/v1/conversions", tags: ["Tracking"], summary: "Report a conversion (server-to-server postback)", request: { body: jsonBody(ConversionBody) }, responses: conversionResponses }),
    async (c) => record(c, bearerOf(c), c.req.valid("json")) as never,
  );

  app.openapi(
    createRoute({ method: "get", path: "/v1/postback", tags: ["Tracking"], summary: "Report a conversion with a URL (for networks that can only fire GETs)", request: { query: PostbackQuery }, responses: conversionResponses }),
    async (c) => {
      const q = c.req.valid("query");
      const raw: RawConversion = { orderId: q.order, event: q.event, amount: q.amount, currency: q.currency, clickId: q.click, customerId: q.customer, coupon: q.coupon, customerEmail: q.email, occurredAt: q.occurred };
      return record(c, q.key ?? bearerOf(c), raw) as never;
    },
  );

  app.openapi(
    createRoute({
      method: "post", path: "/v1/conversions/refund", tags: ["Tracking"], summary: "Refund part or all of a conversion",
      request: { body: jsonBody(RefundBody), headers: z.object({ "idempotency-key": z.string().max(200).optional() }) },
      responses: { 200: jsonResponse(Conversion.extend({ adjustment: z.object({ id: z.string(), amount: z.string(), currency: z.string(), payoutId: z.string().nullable() }).nullable() }), "the updated conversion, with the adjustment this refund put onto the next payout (a paid commission), or null"), 409: jsonResponse(z.any(), "idempotency key reused with another body"), ...errorResponses },
    }),
    async (c) => {
      const { deps } = c.var;
      const program = await programOfPostbackKey(c, bearerOf(c));
      const body = c.req.valid("json");
      const idemKey = c.req.header("idempotency-key") ?? null;
      const requestHash = createHash("sha256").update(JSON.stringify([body.orderId, body.event, body.amount ?? null])).digest("hex");
      if (idemKey && !(await claimIdempotency(deps.db, program.id, idemKey, requestHash, deps.now()))) {
        const seen = await findIdempotency(deps.db, program.id, idemKey);
        if (seen && seen.requestHash !== requestHash) throw new ApiError("conflict", "this Idempotency-Key was used with a different request");
        if (seen?.response) return c.json(JSON.parse(seen.response), 200) as never;
        throw new ApiError("conflict", "a request with this Idempotency-Key is still in progress; retry shortly");
      }
      try {
        const json = await refund(c, program, body);
        if (idemKey) await saveIdempotentResponse(deps.db, program.id, idemKey, JSON.stringify(json));
        return c.json(json, 200) as never;
      } catch (err) {
        if (idemKey) await releaseIdempotency(deps.db, program.id, idemKey);
        throw err;
      }
    },
  );
  return app;
}

/** Validates the amount and applies the refund; answers the conversion as JSON. */
async function refund(c: Context<AppEnv>, program: ProgramRow, body: { orderId: string; event: "sale" | "lead"; amount?: string | number | undefined }) {
  const { deps } = c.var;
  let amount: number | null = null;
  if (body.amount !== undefined) {
    const parsed = parseMoney(body.amount, program.currency);
    if (!parsed.ok) throw invalid("amount", parsed.message);
    if (parsed.minor <= 0) throw invalid("amount", "must be greater than 0");
    amount = parsed.minor;
  }
  const outcome = await refundConversion(deps, program.id, program.num, { orderId: body.orderId, event: body.event, amount });
  if (outcome.kind === "not_found") throw notFound(`order ${body.orderId} (${body.event})`);
  if (outcome.kind === "too_much") throw invalid("amount", "more than the conversion's remaining amount");
  if (outcome.kind === "busy") throw new ApiError("conflict", "too many concurrent refunds of this order; retry");
  const adj = outcome.adjustment;
  return {
    ...conversionJson(outcome.conversion, await commissionOf(deps.db, outcome.conversion.id)),
    adjustment: adj ? { id: adj.id, amount: formatMoney(adj.amount, program.currency), currency: program.currency, payoutId: adj.payoutId } : null,
  };
}

