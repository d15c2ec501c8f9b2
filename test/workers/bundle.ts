import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";

export const ROOT = resolve(import.meta.dirname, "../..");
export const WRANGLER = join(ROOT, "node_modules/wrangler/bin/wrangler.js");
/** Offline, anonymous wrangler: no login, no telemetry, no update check. */
export const WRANGLER_ENV = { ...process.env, WRANGLER_SEND_METRICS: "false", WRANGLER_LOG: "warn", CI: "true", NO_UPDATE_NOTIFIER: "1" };

export interface Bundle {
  /** the bundled ES module */
  path: string;
  bytes: number;
  gzipBytes: number;
}

/** `wrangler deploy --dry-run --outdir`: exactly what `wrangler deploy` would upload. */
export async function buildWorker(config: "wrangler.toml" | "wrangler.api.toml", outDir = mkdtempSync(join(tmpdir(), "afflux-worker-"))): Promise<Bundle> {
  await promisify(execFile)(process.execPath, [WRANGLER, "deploy", "-c", config, "--dry-run", "--outdir", outDir], {
    cwd: ROOT, env: WRANGLER_ENV, timeout: 120_000,
  });
  const name = config === "wrangler.toml" ? "tracking.js" : "api.js";
  const code = readFileSync(join(outDir, name));
  return { path: join(outDir, name), bytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length };
}

export const kib = (bytes: number) => Math.round((bytes / 1024) * 10) / 10;
