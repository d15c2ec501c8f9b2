import type { Db } from "../../db/client";
import { ensureFanOutCursor } from "../../db/queries/webhooks";
import { MAX_TARGET_URL_LENGTH } from "../../domain/webhookTargets";
import { invalidInput, ok, type Outcome } from "../outcome";
import { checkTarget, type TargetPolicy } from "./targets";

const MACRO = /\{[a-z0-9_]+\}/g;

/**
 * A partner's postback URL template as it may be stored: null (no postbacks), or a URL that
 * passes the target rules once its macros are filled with harmless values (the host may not
 * be a macro: it is checked now and again at every delivery).
 */
export async function checkPostbackUrl(db: Db, template: string | null, policy: TargetPolicy): Promise<Outcome<string | null>> {
  if (template === null) return ok(null);
  if (template.length > MAX_TARGET_URL_LENGTH) return invalidInput("postbackUrl", `the URL is longer than ${MAX_TARGET_URL_LENGTH} characters`);
  const verdict = await checkTarget(template.replace(MACRO, "x"), policy);
  if (!verdict.ok) return invalidInput("postbackUrl", verdict.reason);
  const other = await checkTarget(template.replace(MACRO, "y"), { allowPrivate: true });
  if (!other.ok || other.url.host !== verdict.url.host) return invalidInput("postbackUrl", "the host of a postback URL cannot contain a macro");
  await ensureFanOutCursor(db);
  return ok(template);
}
