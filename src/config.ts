import { z } from "zod";
import { DEFAULT_RATE_RULES, type RateRule, type RateRules } from "./domain/rateLimit";

/** A non-negative whole number defaulting to a default rule's limit, rate or burst. */
function count(rule: RateRule | null, field: "burst" | "rate" = "rate") {
  const fallback = !rule ? 0 : rule.kind === "window" ? rule.limit : field === "burst" ? rule.burst : rule.perSecond;
  return z.coerce.number().int().min(0).default(fallback);
}

/** The environment, checked once at start (see the README's configuration table). */
const Env = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  /** interface to listen on; 0.0.0.0 to serve other machines */
  HOST: z.string().default("127.0.0.1"),
  DATABASE_URL: z.string().min(1).default("file:./data/afflux.db"),
  DATABASE_AUTH_TOKEN: z.string().optional(),
  AFFLUX_ADMIN_KEY: z.string().min(16, "AFFLUX_ADMIN_KEY must be at least 16 characters").optional(),
  AFFLUX_SECRET: z.string().min(16, "AFFLUX_SECRET must be at least 16 characters").optional(),
  AFFLUX_PUBLIC_URL: z.string().url().optional(),
  /** when set, the client IP is read from X-Forwarded-For (only behind a proxy you run) */
  AFFLUX_TRUST_PROXY: z.enum(["0", "1", "true", "false"]).optional(),
  AFFLUX_SETTLE_INTERVAL_MINUTES: z.coerce.number().min(0).default(10),
  /** where mail goes (`smtp://user:pass@host:587`, `smtps://…`); without it mails wait in the dashboard's outbox */
  AFFLUX_SMTP_URL: z.string().regex(/^smtps?:\/\/.+/, "AFFLUX_SMTP_URL must be an smtp:// or smtps:// URL").optional(),
  AFFLUX_MAIL_FROM: z.string().min(3).default("afflux <no-reply@localhost>"),
  /** 1: webhooks and postbacks may use http and reach private, loopback and link-local addresses (local receivers, tests) */
  AFFLUX_WEBHOOK_ALLOW_PRIVATE: z.enum(["0", "1", "true", "false"]).optional(),
  /** how often the Node server sends due webhooks and postbacks; 0 turns the timer off */
  AFFLUX_WEBHOOK_INTERVAL_MS: z.coerce.number().int().min(0).default(250),
  /**
   * Rate limits (CONTRACT "Rate limits"); 0 turns a limit off. Defaults are the contract's:
   *   AFFLUX_RATE_FAILED_AUTH_PER_MIN   20     failed authentications per client IP a minute
   *   AFFLUX_RATE_API_PER_SEC           100    /api/* per API key a second …
   *   AFFLUX_RATE_API_BURST             500    … with bursts of this many
   *   AFFLUX_RATE_POSTBACK_PER_SEC      5000   /v1/* per program a second …
   *   AFFLUX_RATE_POSTBACK_BURST        20000  … with bursts of this many
   *   AFFLUX_RATE_PIXEL_PER_MIN         20     pixel conversions per client IP and program a minute
   *   AFFLUX_RATE_PIXEL_HOLD_PER_DAY    10000  pixel conversions left in hold per program a day
   *   AFFLUX_RATE_APPLY_PER_HOUR        10     public application forms per client IP an hour
   */
  AFFLUX_RATE_FAILED_AUTH_PER_MIN: count(DEFAULT_RATE_RULES.failedAuth),
  AFFLUX_RATE_API_PER_SEC: count(DEFAULT_RATE_RULES.api),
  AFFLUX_RATE_API_BURST: count(DEFAULT_RATE_RULES.api, "burst"),
  AFFLUX_RATE_POSTBACK_PER_SEC: count(DEFAULT_RATE_RULES.postback),
  AFFLUX_RATE_POSTBACK_BURST: count(DEFAULT_RATE_RULES.postback, "burst"),
  AFFLUX_RATE_PIXEL_PER_MIN: count(DEFAULT_RATE_RULES.pixel),
  AFFLUX_RATE_PIXEL_HOLD_PER_DAY: count(DEFAULT_RATE_RULES.pixelHold),
  AFFLUX_RATE_APPLY_PER_HOUR: count(DEFAULT_RATE_RULES.applicationForm),
});
export type Config = z.infer<typeof Env>;

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    throw new Error(`invalid configuration: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  }
  return parsed.data;
}

/** AFFLUX_WEBHOOK_ALLOW_PRIVATE as a boolean. */
export const allowPrivateTargets = (config: Config): boolean => config.AFFLUX_WEBHOOK_ALLOW_PRIVATE === "1" || config.AFFLUX_WEBHOOK_ALLOW_PRIVATE === "true";

const MINUTE_MS = 60_000;
const window = (limit: number, windowMs: number): RateRule | null => (limit > 0 ? { kind: "window", limit, windowMs } : null);
const bucket = (perSecond: number, burst: number): RateRule | null => (perSecond > 0 ? { kind: "bucket", perSecond, burst: Math.max(burst, 1) } : null);

/** The rate limits the configuration asks for. */
export function rateRules(config: Config): RateRules {
  return {
    failedAuth: window(config.AFFLUX_RATE_FAILED_AUTH_PER_MIN, MINUTE_MS),
    api: bucket(config.AFFLUX_RATE_API_PER_SEC, config.AFFLUX_RATE_API_BURST),
    postback: bucket(config.AFFLUX_RATE_POSTBACK_PER_SEC, config.AFFLUX_RATE_POSTBACK_BURST),
    pixel: window(config.AFFLUX_RATE_PIXEL_PER_MIN, MINUTE_MS),
    pixelHold: window(config.AFFLUX_RATE_PIXEL_HOLD_PER_DAY, 1_440 * MINUTE_MS),
    applicationForm: window(config.AFFLUX_RATE_APPLY_PER_HOUR, 60 * MINUTE_MS),
  };
}
