import { FRAUD_FLAGS } from "../../db/schema/commissions";
import { z } from "@hono/zod-openapi";
import { ERROR_STATUS, type ErrorCode } from "../errors";

/** Money in: a decimal string or number in major units; checked against the currency in the handler. */
export const MoneyInput = z.union([z.string(), z.number()]).openapi({ example: "49.99" });
export const Money = z.string().openapi({ example: "49.99", description: "decimal string with exactly the currency's digits" });
export const Cursor = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(200).optional(),
});
export const IdParam = z.object({ id: z.string().min(1).max(100) });

export const ErrorEnvelope = z
  .object({
    error: z.object({
      code: z.enum(Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]]),
      message: z.string(),
      details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
      requestId: z.string(),
    }),
  })
  .openapi("Error");

export const errorResponses = {
  400: { description: "invalid input", content: { "application/json": { schema: ErrorEnvelope } } },
  401: { description: "missing or unknown key", content: { "application/json": { schema: ErrorEnvelope } } },
  403: { description: "key of the wrong kind", content: { "application/json": { schema: ErrorEnvelope } } },
  404: { description: "not found or outside the key's scope", content: { "application/json": { schema: ErrorEnvelope } } },
} as const;

export const conflictResponse = { description: "conflicts with the current state", content: { "application/json": { schema: ErrorEnvelope } } };

export const jsonBody = <T extends z.ZodType>(schema: T) => ({ content: { "application/json": { schema } }, required: true });
export const jsonResponse = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { "application/json": { schema } } });
export const listOf = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item), nextCursor: z.string().nullable() });

export const Conversion = z
  .object({
    id: z.string(), orderId: z.string(), event: z.enum(["sale", "lead"]), amount: Money, refunded: Money, currency: z.string(),
    source: z.enum(["postback", "pixel", "deal"]), status: z.enum(["attributed", "unattributed"]), reason: z.string().nullable(),
    attribution: z
      .object({ partnerId: z.string(), linkId: z.string().nullable(), clickId: z.string().nullable(), model: z.string(), via: z.enum(["click", "customer", "coupon", "deal"]) })
      .nullable(),
    commission: z.object({ id: z.string(), amount: Money, currency: z.string(), status: z.string() }).nullable(),
    occurredAt: z.string(), createdAt: z.string(),
  })
  .openapi("Conversion");

export const Program = z
  .object({
    id: z.string(), name: z.string(), currency: z.string(), cookieDays: z.number(), attribution: z.enum(["last_click", "first_click"]),
    holdDays: z.number(), allowedDomains: z.array(z.string()), clickParam: z.string(), minPayout: Money, minConversionSeconds: z.number(),
    dealProtectionDays: z.number(), leadSlaHours: z.number(), entryTierId: z.string().optional(),
    createdAt: z.string(), postbackKey: z.string().optional(), publicKey: z.string().optional(),
    handle: z.string(),
    applications: z.object({
      enabled: z.boolean(),
      autoApprove: z.array(z.object({ field: z.enum(["country", "emailDomain"]), op: z.enum(["is", "is_not"]), values: z.array(z.string()) })),
      questions: z.array(z.object({ id: z.string(), label: z.string(), required: z.boolean() })),
    }),
  })
  .openapi("Program");

/** What lead routing knows of a partner: empty lists mean any; capacity 0 means no leads. */
export const LeadProfile = z
  .object({
    countries: z.array(z.string().regex(/^[A-Za-z]{2}$/, "a two-letter country code")).max(250),
    verticals: z.array(z.string().trim().min(1).max(60)).max(100),
    leadCapacity: z.number().int().min(0).max(10_000),
  })
  .openapi("LeadProfile");
export const LeadProfilePatch = LeadProfile.partial().openapi("LeadProfilePatch");

export const Partner = z
  .object({
    id: z.string(), programId: z.string(), name: z.string(), email: z.string(), status: z.string(), tierId: z.string(),
    coupon: z.string().nullable(), postbackUrl: z.string().nullable().optional(), profile: LeadProfile.optional(), createdAt: z.string(), apiKey: z.string().optional(),
    source: z.string().nullable().openapi({ description: "where the partner came from (its application's source)" }),
    referredBy: z.string().nullable().openapi({ description: "the partner who referred this one" }),
    stage: z.enum(["recruitment", "activation", "investment", "devotion"]).optional().openapi({ description: "journey stage, computed from stored facts" }),
    stageReason: z.string().optional(),
    badgeUrl: z.string().optional().openapi({ description: "approved partners: SVG badge, AFFLUX_PUBLIC_URL/badge/<token>.svg" }),
    verifyUrl: z.string().optional().openapi({ description: "the badge's verification page" }),
  })
  .openapi("Partner");


export const Link = z
  .object({
    id: z.string(), slug: z.string(), url: z.string(), destination: z.string(), programId: z.string(), partnerId: z.string(),
    allowDeepLinks: z.boolean(), archived: z.boolean(), createdAt: z.string(), clicks: z.number().optional(), botClicks: z.number().optional(),
  })
  .openapi("Link");

export const Commission = z
  .object({
    id: z.string(), conversionId: z.string(), partnerId: z.string(), amount: Money, currency: z.string(),
    status: z.enum(["hold", "pending", "approved", "paid", "reversed", "rejected"]), createdAt: z.string(), availableAt: z.string(),
    flags: z.array(z.enum(FRAUD_FLAGS)).openapi({ description: "fraud signals that sent it to hold (self_referral, click_too_fast, click_flood)" }),
  })
  .openapi("Commission");

/** Recurring commissions: how long a rule keeps paying a customer's conversions. */
export const DurationMonths = z.number().int().min(0).max(1200).nullable()
  .openapi({ description: "null: lifetime; 0: the customer's first conversion only; N: conversions within N months of the customer's first attributed conversion" });

export const Rule = z
  .object({
    id: z.string(), programId: z.string(), tierId: z.string().nullable(), event: z.enum(["sale", "lead"]), type: z.enum(["percent", "flat"]), value: z.string(),
    durationMonths: DurationMonths, createdAt: z.string(), archived: z.boolean(), archivedAt: z.string().nullable(),
  })
  .openapi("Rule");
