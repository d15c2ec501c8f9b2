import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import http from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "libsql";

/**
 * Helpers for durability tests: the real Node server (`node --import tsx src/server.ts`) in a
 * child process on a temp file database, driven over HTTP like production traffic.
 */

export const ADMIN_KEY = "durability-admin-key-0123456789";
export const SECRET = "durability-secret-0123456789abcdef";
export const BROWSER_UA =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36";

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** A fresh temp directory (under os.tmpdir()) holding the database file. */
export function tempDbPath(prefix = "afflux-durability-"): { dir: string; dbPath: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, dbPath: join(dir, "afflux.db"), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function journalPathOf(dbPath: string): string {
  return `${dbPath}.clicks.journal`;
}

/** Every click journal file of the database (segments, and the single file of older versions). */
export function journalFiles(dbPath: string): string[] {
  const base = basename(journalPathOf(dbPath));
  return readdirSync(dirname(dbPath)).filter((f) => f.startsWith(base)).sort().map((f) => join(dirname(dbPath), f));
}

/** Journal files that still hold clicks (the segment being appended to is emptied, not deleted, once stored). */
export function nonEmptyJournalFiles(dbPath: string): string[] {
  return journalFiles(dbPath).filter((f) => statSync(f).size > 0);
}

/** The click ids held by the journal files (torn lines skipped). */
export function journaledIds(dbPath: string): Set<string> {
  const ids = new Set<string>();
  for (const file of journalFiles(dbPath)) {
    for (const line of readFileSync(file, "utf8").split("\n")) {
      if (line.trim() === "") continue;
      try {
        ids.add((JSON.parse(line) as { id: string }).id);
      } catch {
        // torn by a crash mid-append
      }
    }
  }
  return ids;
}

/** A port that was free a moment ago (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      const port = typeof address === "object" && address ? address.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

export interface ServerProcess {
  child: ChildProcess;
  pid: number;
  port: number;
  baseUrl: string;
  dbPath: string;
  /** stdout + stderr of the child so far (for failure messages) */
  output(): string;
  /** resolves when the child has exited */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILLs the child (by its PID) if it still runs and waits for it; safe to call twice */
  kill(): Promise<void>;
}

/** Starts the server on a free port and waits until `/healthz` answers 200. */
export async function startServer(dbPath: string, opts: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<ServerProcess> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const server = spawnServer(dbPath, port, opts.env ?? {});
    try {
      await waitForHealthy(server, opts.timeoutMs ?? 20_000);
      return server;
    } catch (err) {
      lastError = err;
      await server.kill();
      // another process may have taken the port between freePort() and listen(): try another
      if (!/EADDRINUSE/.test(server.output())) break;
    }
  }
  throw lastError;
}

function spawnServer(dbPath: string, port: number, env: Record<string, string>): ServerProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "src/server.ts"], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? tmpdir(),
      TMPDIR: tmpdir(),
      NODE_ENV: "test",
      PORT: String(port),
      HOST: "127.0.0.1",
      DATABASE_URL: `file:${dbPath}`,
      AFFLUX_ADMIN_KEY: ADMIN_KEY,
      AFFLUX_SECRET: SECRET,
      AFFLUX_PUBLIC_URL: `http://127.0.0.1:${port}`,
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) => {
    if (child.exitCode !== null || child.signalCode !== null) resolveExit({ code: child.exitCode, signal: child.signalCode });
    child.once("exit", (code, signal) => resolveExit({ code, signal }));
  });
  let done = false;
  void exited.then(() => (done = true));
  if (child.pid === undefined) throw new Error("could not spawn the server");
  const pid = child.pid;
  return {
    child, pid, port, baseUrl: `http://127.0.0.1:${port}`, dbPath, exited,
    output: () => output,
    kill: async () => {
      if (!done) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
      await exited;
    },
  };
}

async function waitForHealthy(server: ServerProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void server.exited.then(() => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`server exited before it was healthy:\n${server.output()}`);
    try {
      const res = await fetch(`${server.baseUrl}/healthz`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`server not healthy after ${timeoutMs} ms:\n${server.output()}`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `check` until it returns true (or throws its last failure after `timeoutMs`). */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string, intervalMs = 200): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let ok = false;
    try {
      ok = await check();
    } catch (err) {
      if (Date.now() >= deadline) throw err;
    }
    if (ok) return;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await sleep(intervalMs);
  }
}

/** A JSON call to the management API. */
export async function api<T = Record<string, unknown>>(
  baseUrl: string, path: string, init: { method?: string; key?: string; json?: unknown } = {},
): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = {};
  if (init.key) headers.authorization = `Bearer ${init.key}`;
  if (init.json !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`${baseUrl}${path}`, {
    method: init.method ?? (init.json === undefined ? "GET" : "POST"),
    headers,
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

export interface Fixture {
  vendorKey: string;
  programId: string;
  partnerId: string;
  linkId: string;
  slug: string;
}

/** Vendor → program → partner → link, created through the API like a user would. */
export async function createFixture(baseUrl: string, slug = "durable"): Promise<Fixture> {
  const expect201 = <T>(what: string, r: { status: number; body: T }): T => {
    if (r.status !== 201) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const vendor = expect201("vendor", await api<{ apiKey: string }>(baseUrl, "/api/v1/vendors", { key: ADMIN_KEY, json: { name: "Durable Inc" } }));
  const vendorKey = vendor.apiKey;
  const program = expect201("program", await api<{ id: string }>(baseUrl, "/api/v1/programs", {
    key: vendorKey, json: { name: "Shop", allowedDomains: ["shop.example.com"], holdDays: 0 },
  }));
  const partner = expect201("partner", await api<{ id: string }>(baseUrl, `/api/v1/programs/${program.id}/partners`, {
    key: vendorKey, json: { name: "Anna", email: "anna@example.com" },
  }));
  const link = expect201("link", await api<{ id: string; slug: string }>(baseUrl, "/api/v1/links", {
    key: vendorKey, json: { programId: program.id, partnerId: partner.id, destination: "https://shop.example.com/p", slug },
  }));
  return { vendorKey, programId: program.id, partnerId: partner.id, linkId: link.id, slug: link.slug };
}

export interface BurstResult {
  /** click ids from the Location headers of 302 answers, in answer order */
  clickIds: string[];
  /** when each of `clickIds` was answered (client clock, Date.now()), same order */
  answeredAt: number[];
  /** answers by status code */
  statuses: Map<number, number>;
  /** requests that failed at the connection level (refused, reset…) */
  errors: number;
  /** requests that got no answer within the per-request timeout */
  timeouts: number;
  /** 302 answers whose Location carried no click id */
  badLocations: number;
  /** slowest answer seen, in ms */
  maxLatencyMs: number;
}

/**
 * Fires `count` GET redirects at `/slug` with a browser User-Agent over keep-alive connections,
 * `concurrency` at a time. `onAnswer(n)` is called after each 302 with the number seen so far.
 */
export async function fireRedirects(
  baseUrl: string, slug: string, count: number,
  opts: { concurrency?: number; timeoutMs?: number; clickParam?: string; onAnswer?: (answered: number) => void } = {},
): Promise<BurstResult> {
  const concurrency = opts.concurrency ?? 50;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const clickParam = opts.clickParam ?? "afx_click";
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const result: BurstResult = { clickIds: [], answeredAt: [], statuses: new Map(), errors: 0, timeouts: 0, badLocations: 0, maxLatencyMs: 0 };
  const url = new URL(`/${slug}`, baseUrl);
  let next = 0;

  const one = (): Promise<void> =>
    new Promise((done) => {
      const started = Date.now();
      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        try {
          fn();
        } finally {
          done();
        }
      };
      const req = http.request(
        { host: url.hostname, port: url.port, path: url.pathname, method: "GET", agent, headers: { "user-agent": BROWSER_UA } },
        (res) => {
          res.resume();
          res.on("error", () => undefined);
          settle(() => {
            const status = res.statusCode ?? 0;
            result.statuses.set(status, (result.statuses.get(status) ?? 0) + 1);
            result.maxLatencyMs = Math.max(result.maxLatencyMs, Date.now() - started);
            if (status === 302) {
              const location = res.headers.location;
              const id = location ? new URL(location).searchParams.get(clickParam) : null;
              if (!id) {
                result.badLocations++;
                return;
              }
              result.clickIds.push(id);
              result.answeredAt.push(Date.now());
              opts.onAnswer?.(result.clickIds.length);
            }
          });
        },
      );
      req.setTimeout(timeoutMs, () => {
        settle(() => result.timeouts++);
        req.destroy(new Error("timeout"));
      });
      req.on("error", () => settle(() => result.errors++));
      req.end();
    });

  const worker = async () => {
    while (next < count) {
      next++;
      await one();
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  } finally {
    agent.destroy();
  }
  return result;
}

/** Opens the database file with the native `libsql` driver (like the server's click writer). */
export function openDb(dbPath: string): InstanceType<typeof Database> {
  const db = new Database(dbPath);
  db.exec("PRAGMA busy_timeout = 5000");
  return db;
}

/** What the `clicks` table holds: row count, distinct ids, and the ids. */
export function readClicks(db: InstanceType<typeof Database>): { count: number; distinct: number; ids: Set<string> } {
  const row = db.prepare("SELECT count(*) AS n, count(DISTINCT id) AS d FROM clicks").get([]) as { n: number; d: number };
  const ids = new Set((db.prepare("SELECT id FROM clicks").all([]) as { id: string }[]).map((r) => r.id));
  return { count: Number(row.n), distinct: Number(row.d), ids };
}

/** Ids answered but not stored (empty when every answered click is stored). */
export function missingIds(answered: readonly string[], stored: Set<string>): string[] {
  return answered.filter((id) => !stored.has(id));
}
