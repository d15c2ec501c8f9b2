import type { Db } from "../db/client";
import type { PreparedReader } from "../db/groupCommit";
import type { RateLimits } from "../domain/rateLimit";
import type { ClickSink } from "../services/tracking/clickSink";
import type { ReadCache } from "../services/tracking/readCache";
import type { ConversionWriter } from "../services/tracking/conversions";
import type { LinkCache } from "./tracking/linkCache";
import type { ReadClickFacts } from "./tracking/requestFacts";
import type { TargetPolicy } from "../services/webhooks/targets";

/** Everything the apps need, built once by an entry point (Node server, Worker, tests). */
export interface AppDeps {
  db: Db;
  /** AFFLUX_SECRET: signs click ids, keys visitor hashes */
  secret: string;
  clickSink: ClickSink;
  linkCache: LinkCache;
  now: () => number;
  /** base of tracking URLs handed out, without trailing slash */
  publicUrl: string;
  /** SHA-256 of AFFLUX_ADMIN_KEY, or null when no operator key is configured */
  adminKeyHash: string | null;
  /** reads user agent, IP, referrer, country and https-ness for a click, the runtime's cheapest way */
  readClickFacts: ReadClickFacts;
  /** keys, programs, links, partners and rules held in memory (createApp makes one when absent) */
  reads?: ReadCache;
  /** group commit of concurrent conversions (createApp makes one when absent) */
  writes?: ConversionWriter;
  /** the per-postback reads kept prepared, on the group commit's native connection (Node on a file) */
  prepared?: PreparedReader;
  /** the contract's rate limits: in process on Node (`memoryRateLimits`), bindings on Workers */
  rateLimits: RateLimits;
  /** where webhooks and postbacks may go (AFFLUX_WEBHOOK_ALLOW_PRIVATE, and Node's resolver); https to public hosts when absent */
  webhookTargets?: TargetPolicy;
}

export type AppEnv = { Variables: { requestId: string; deps: AppDeps } };
