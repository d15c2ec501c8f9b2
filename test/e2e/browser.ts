import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";

/** Debian's Chromium; never a downloaded browser. Missing Chromium fails the suite, loudly. */
export function chromiumPath(): string {
  try {
    return execFileSync("sh", ["-c", "command -v chromium || command -v chromium-browser"], { encoding: "utf8" }).trim().split("\n")[0]!;
  } catch {
    throw new Error("Chromium is not installed: the e2e suite needs Debian's chromium (apt-get install -y chromium); .ci/run installs it.");
  }
}

/** `args`: extra Chromium switches, e.g. `--host-resolver-rules` to reach a test shop under its real domain. */
export async function launchBrowser(args: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", ...args] });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/**
 * The real Node server on a temp file database and a free port on 127.0.0.1. With `demo`, the
 * database is first seeded by `npm run afflux -- demo`; its output (keys, program id) is returned.
 */
export async function startServer(env: Record<string, string> = {}, opts: { demo?: boolean } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "afflux-e2e-"));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const serverEnv = { ...process.env, PORT: String(port), HOST: "127.0.0.1", DATABASE_URL: `file:${join(dir, "e2e.db")}`, AFFLUX_PUBLIC_URL: base, AFFLUX_SETTLE_INTERVAL_MINUTES: "0", ...env };
  const demoOutput = opts.demo ? execFileSync(process.execPath, ["--import", "tsx", "src/cli.ts", "demo"], { env: serverEnv, encoding: "utf8" }) : "";
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "src/server.ts"], { env: serverEnv, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const deadline = Date.now() + 45_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early:\n${output}`);
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`server did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    base,
    demoOutput,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await new Promise((r) => child.once("exit", r));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
