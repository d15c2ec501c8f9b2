import { z } from "zod";

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
});
export type Config = z.infer<typeof Env>;

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    throw new Error(`invalid configuration: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  }
  return parsed.data;
}
