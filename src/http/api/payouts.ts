import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { formatMoney } from "../../domain/money";
import { getVendorProgram } from "../../db/queries/programs";
import { batchPayouts, getBatch, getPayout, payoutLines, type PayoutRow } from "../../db/queries/payouts";
import { getPartner } from "../../db/queries/partners";
import type { AppEnv } from "../deps";
import { csvNumber, csvResponse, toCsv } from "../csv";
import { notFound } from "../errors";
import { actorOf, requireCaller } from "../middleware/auth";
import { iso } from "./present";
import { vendorProgram } from "./programs";
import { createRouter } from "./router";
import { conflictResponse, errorResponses, IdParam, jsonResponse, Money } from "./schemas";
import { createPayouts, payBatch, payPayout } from "../../services/management/payouts";
import { unwrap } from "./outcome";

const Payout = z
  .object({ id: z.string(), batchId: z.string(), partnerId: z.string(), amount: Money, currency: z.string(), commissionCount: z.number(), status: z.enum(["pending", "paid"]), paidAt: z.string().nullable(), createdAt: z.string() })
  .openapi("Payout");

export function payoutJson(p: PayoutRow) {
  return {
    id: p.id, batchId: p.batchId, partnerId: p.partnerId, amount: formatMoney(p.amount, p.currency), currency: p.currency,
    commissionCount: p.commissionCount, status: p.status, paidAt: p.paidAt === null ? null : iso(p.paidAt), createdAt: iso(p.createdAt),
  };
}

const CSV_HEADER = ["partner", "email", "amount", "currency", "commissionCount", "payoutId", "partnerId"];

/** A payout of one of the vendor's programs, or 404. */
async function vendorPayout(c: Context<AppEnv>, id: string) {
  const caller = await requireCaller(c, ["vendor"]);
  const payout = await getPayout(c.var.deps.db, id);
  const program = payout && (await getVendorProgram(c.var.deps.db, caller.vendorId, payout.programId));
  if (!payout || !program) throw notFound("payout");
  return Object.assign(payout, { program, actor: actorOf(caller) });
}

/** A payout batch of one of the vendor's programs, or 404. */
async function vendorBatch(c: Context<AppEnv>, id: string) {
  const caller = await requireCaller(c, ["vendor"]);
  const batch = await getBatch(c.var.deps.db, id);
  const program = batch && (await getVendorProgram(c.var.deps.db, caller.vendorId, batch.programId));
  if (!batch || !program) throw notFound("payout batch");
  return { ...batch, program, actor: actorOf(caller) };
}

const BelowMinimum = z.object({ partnerId: z.string(), amount: Money, currency: z.string() });
const BatchCreated = z.object({ id: z.string().nullable(), payouts: z.array(Payout), belowMinimum: z.array(BelowMinimum) }).openapi("PayoutBatchCreated");

export function payoutRoutes() {
  const app = createRouter();

  app.openapi(
    createRoute({
      method: "post", path: "/api/v1/programs/{id}/payouts", tags: ["Payouts"], summary: "Create a payout batch from approved commissions",
      description: "201 with the batch; 200 with `id: null` and no payouts when no partner reaches minPayout. Both list `belowMinimum`: what each partner left out has due.",
      request: { params: IdParam },
      responses: { 201: jsonResponse(BatchCreated, "the batch and its payouts"), 200: jsonResponse(BatchCreated, "no partner reached minPayout: no batch"), ...errorResponses },
    }),
    async (c) => {
      const { program, actor } = await vendorProgram(c, c.req.valid("param").id);
      const batch = await createPayouts(c.var.deps.db, program, c.var.deps.now(), actor);
      const belowMinimum = batch.belowMinimum.map((b) => ({ partnerId: b.partnerId, amount: formatMoney(b.amount, program.currency), currency: program.currency }));
      return c.json({ id: batch.batchId, payouts: batch.payouts.map(payoutJson), belowMinimum }, batch.batchId === null ? 200 : 201) as never;
    },
  );

  app.openapi(
    createRoute({ method: "post", path: "/api/v1/payout-batches/{id}/paid", tags: ["Payouts"], summary: "Mark every pending payout of a batch paid (paid ones are skipped; nothing pending: 409)", request: { params: IdParam }, responses: { 200: jsonResponse(z.object({ id: z.string(), marked: z.number(), payouts: z.array(Payout) }), "the batch"), 409: conflictResponse, ...errorResponses } }),
    async (c) => {
      const batch = await vendorBatch(c, c.req.valid("param").id);
      const { marked } = unwrap(await payBatch(c.var.deps.db, batch.program, batch.id, c.var.deps.now(), batch.actor));
      const rows = await batchPayouts(c.var.deps.db, batch.id);
      return c.json({ id: batch.id, marked, payouts: rows.map((r) => payoutJson(r.payout)) }, 200);
    },
  );

  // `:id` also matches "pay_….csv": one route serves the JSON and the CSV form.
  app.openapi(
    createRoute({ method: "get", path: "/api/v1/payouts/{id}", tags: ["Payouts"], summary: "A payout with its lines (append .csv to the id for a one-row CSV summary)", request: { params: IdParam }, responses: { 200: jsonResponse(Payout.extend({ lines: z.array(z.any()) }), "the payout"), ...errorResponses } }),
    async (c) => {
      const raw = c.req.valid("param").id;
      const csv = raw.endsWith(".csv");
      const payout = await vendorPayout(c, csv ? raw.slice(0, -4) : raw);
      if (csv) {
        const partner = await getPartner(c.var.deps.db, payout.partnerId);
        const row = [partner?.name ?? "", partner?.email ?? "", csvNumber(formatMoney(payout.amount, payout.currency)), payout.currency, payout.commissionCount, payout.id, payout.partnerId];
        return csvResponse(toCsv(CSV_HEADER, [row]), `${payout.id}.csv`) as never;
      }
      const { commissionLines, adjustmentLines } = await payoutLines(c.var.deps.db, payout.id);
      const m = (v: number) => formatMoney(v, payout.currency);
      const lines = [
        ...commissionLines.map((l) => ({ type: "commission", id: l.id, conversionId: l.conversionId, amount: m(l.amount), status: l.status, createdAt: iso(l.createdAt) })),
        ...adjustmentLines.map((l) => ({ type: "adjustment", id: l.id, commissionId: l.commissionId, amount: m(l.amount), reason: l.reason, createdAt: iso(l.createdAt) })),
      ];
      return c.json({ ...payoutJson(payout), lines }, 200);
    },
  );

  app.openapi(
    createRoute({ method: "post", path: "/api/v1/payouts/{id}/paid", tags: ["Payouts"], summary: "Mark a payout and its commissions paid", request: { params: IdParam }, responses: { 200: jsonResponse(Payout, "the paid payout"), 409: jsonResponse(z.any(), "already paid"), ...errorResponses } }),
    async (c) => {
      const payout = await vendorPayout(c, c.req.valid("param").id);
      unwrap(await payPayout(c.var.deps.db, payout.program, payout, c.var.deps.now(), payout.actor));
      return c.json(payoutJson((await getPayout(c.var.deps.db, payout.id))!), 200);
    },
  );

  app.openapi(
    createRoute({ method: "get", path: "/api/v1/payout-batches/{id}", tags: ["Payouts"], summary: "A payout batch (append .csv for one row per payout, ready for bulk payment)", request: { params: IdParam }, responses: { 200: jsonResponse(z.object({ id: z.string(), payouts: z.array(Payout) }), "the batch"), ...errorResponses } }),
    async (c) => {
      const raw = c.req.valid("param").id;
      const csv = raw.endsWith(".csv");
      const batch = await vendorBatch(c, csv ? raw.slice(0, -4) : raw);
      const rows = await batchPayouts(c.var.deps.db, batch.id);
      if (csv) {
        const body = toCsv(CSV_HEADER, rows.map((r) => [r.name, r.email, csvNumber(formatMoney(r.payout.amount, r.payout.currency)), r.payout.currency, r.payout.commissionCount, r.payout.id, r.payout.partnerId]));
        return csvResponse(body, `${batch.id}.csv`) as never;
      }
      return c.json({ id: batch.id, payouts: rows.map((r) => payoutJson(r.payout)) }, 200);
    },
  );
  return app;
}
