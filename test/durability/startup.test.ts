import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { tempDbPath } from "./server";

// What a newcomer sees when starting the server (issue 10): a busy port is one clear line, not a
// stack trace; without AFFLUX_ADMIN_KEY the console says how to get a first vendor key.

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

function run(env: Record<string, string>, until: (out: string) => boolean): Promise<{ out: string; code: number | null; signal: NodeJS.Signals | null }> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete childEnv.AFFLUX_ADMIN_KEY;
  const child = spawn(process.execPath, ["--import", "tsx", "src/server.ts"], { cwd: ROOT, env: childEnv, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  return new Promise((done) => {
    const check = () => { if (until(out)) child.kill("SIGTERM"); };
    child.stdout.on("data", (d) => { out += d; check(); });
    child.stderr.on("data", (d) => { out += d; check(); });
    child.on("exit", (code, signal) => done({ out, code, signal }));
  });
}

describe("server start-up messages", () => {
  it("says which port is taken and exits, without a stack trace", async () => {
    const blocker = createServer();
    const port = await new Promise<number>((r) => blocker.listen(0, "127.0.0.1", () => r((blocker.address() as { port: number }).port)));
    const db = tempDbPath();
    try {
      const { out, code, signal } = await run({ PORT: String(port), DATABASE_URL: `file:${db.dbPath}` }, () => false);
      expect({ code, signal }, `the server said:\n${out}`).toEqual({ code: 1, signal: null });
      expect(out).toContain(`port ${port}`);
      expect(out).toContain("PORT=");
      expect(out).not.toMatch(/\n\s+at .+:\d+:\d+/);
    } finally {
      blocker.close();
      db.cleanup();
    }
  });

  it("tells how to create a first vendor key when no operator key is set", async () => {
    const db = tempDbPath();
    try {
      const { out } = await run({ PORT: "0", DATABASE_URL: `file:${db.dbPath}` }, (o) => o.includes("listening"));
      expect(out).toContain("npm run afflux -- keys create vendor --name");
    } finally {
      db.cleanup();
    }
  });
});
