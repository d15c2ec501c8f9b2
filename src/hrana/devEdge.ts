import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createClient } from "@libsql/client";
import { drizzle } from "drizzle-orm/libsql";
import { migrate } from "drizzle-orm/libsql/migrator";
import { MIGRATIONS_DIR } from "../db/migrate";
import * as schema from "../db/schema";
import { startHranaServer } from "./server";

/**
 * `npm run dev:edge`: the Workers locally, offline, as they run on Cloudflare. Starts the Hrana
 * endpoint on a file database, applies the migrations through it, then `wrangler dev --local`
 * with both Workers (tracking on PORT, the API Worker behind its service binding, a local Queue
 * between them) pointed at it. Ctrl-C stops everything.
 *
 * Env: EDGE_DB (file:./data/edge.db), PORT (8787), HRANA_PORT (8080),
 * AFFLUX_ADMIN_KEY (dev-admin-key-change-me), AFFLUX_SECRET (empty: kept in the database).
 */
async function main() {
  const dbUrl = process.env.EDGE_DB ?? "file:./data/edge.db";
  mkdirSync("data", { recursive: true });
  const hrana = await startHranaServer({ db: dbUrl, port: Number(process.env.HRANA_PORT ?? 8080) });
  const client = createClient({ url: hrana.url });
  await migrate(drizzle(client, { schema }), { migrationsFolder: MIGRATIONS_DIR });
  client.close();
  const port = process.env.PORT ?? "8787";
  const adminKey = process.env.AFFLUX_ADMIN_KEY ?? "dev-admin-key-change-me";
  console.log(`hrana on ${hrana.url} (${dbUrl}), migrations applied; operator key: ${adminKey}`);
  const vars = {
    DATABASE_URL: hrana.url, DATABASE_AUTH_TOKEN: "", AFFLUX_SECRET: process.env.AFFLUX_SECRET ?? "", AFFLUX_ADMIN_KEY: adminKey,
    AFFLUX_PUBLIC_URL: process.env.AFFLUX_PUBLIC_URL ?? `http://127.0.0.1:${port}`,
  };
  const args = [
    "node_modules/wrangler/bin/wrangler.js", "dev", "--local", "-c", "wrangler.toml", "-c", "wrangler.api.toml",
    "--ip", "127.0.0.1", "--port", port, "--show-interactive-dev-session=false",
  ];
  const wrangler = spawn(process.execPath, args, {
    stdio: "inherit",
    // the secrets listed in wrangler's `[secrets] required` are read from the environment, for both Workers
    env: { ...process.env, ...vars, WRANGLER_SEND_METRICS: "false", NO_UPDATE_NOTIFIER: "1" },
  });
  const stop = (code: number) => void hrana.close().then(() => process.exit(code));
  wrangler.on("exit", (code) => stop(code ?? 0));
  for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => wrangler.kill(sig));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
