import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import Native from "libsql";
import { type HranaRequest, type NativeDb, ProtocolError, StreamExecutor, type StreamResult } from "./protocol";

/**
 * A small libSQL server speaking Hrana over HTTP (`POST /v2/pipeline`, JSON), backed by the
 * embedded `libsql` driver: what `turso dev` / sqld are elsewhere, for `wrangler dev` and the
 * Worker tests on machines that have neither. One connection serves every stream; a stream that
 * leaves a transaction open (interactive transaction, baton kept across requests) holds the
 * connection until it commits, rolls back, closes or idles out, and other streams wait for it.
 * That is the isolation sqld gives writers, made total: fine for development and tests.
 */
export interface HranaServerOptions {
  /** `file:path`, a plain path, or `:memory:` */
  db: string;
  port?: number;
  host?: string;
  /** when set, requests must carry `Authorization: Bearer <token>` */
  authToken?: string;
  /** an idle stream (and its open transaction, rolled back) is dropped after this long */
  streamIdleMs?: number;
}

export interface HranaServer {
  url: string;
  port: number;
  /** the underlying connection, for tests */
  db: NativeDb;
  close(): Promise<void>;
}

interface Stream {
  exec: StreamExecutor;
  timer: NodeJS.Timeout | null;
}

const MAX_BODY = 32 * 1024 * 1024;
const MAX_PREPARED = 500;

export function openNative(db: string): NativeDb {
  const path = db.startsWith("file:") ? db.slice("file:".length).split("?")[0]! : db;
  const native = new Native(path === "" ? ":memory:" : path);
  if (path !== ":memory:" && path !== "") native.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL");
  native.exec("PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON");
  return native;
}

export async function startHranaServer(opts: HranaServerOptions): Promise<HranaServer> {
  const db = openNative(opts.db);
  const idleMs = opts.streamIdleMs ?? 15_000;
  const prepared = new Map<string, ReturnType<NativeDb["prepare"]>>();
  const prepare = (sql: string) => {
    let st = prepared.get(sql);
    if (!st) {
      st = db.prepare(sql);
      if (prepared.size >= MAX_PREPARED) prepared.delete(prepared.keys().next().value!);
      prepared.set(sql, st);
    }
    return st;
  };
  const streams = new Map<string, Stream>();
  let owner: Stream | null = null;
  let waiters: (() => void)[] = [];

  const release = (stream: Stream) => {
    if (owner !== stream) return;
    owner = null;
    const wake = waiters;
    waiters = [];
    for (const w of wake) w();
  };
  const drop = (baton: string, stream: Stream) => {
    streams.delete(baton);
    if (owner === stream && db.inTransaction) db.exec("ROLLBACK");
    release(stream);
  };

  async function pipeline(body: { baton?: string | null; requests?: HranaRequest[] }) {
    if (!Array.isArray(body.requests)) throw new ProtocolError("body needs a requests array");
    let stream: Stream | undefined;
    if (body.baton) {
      stream = streams.get(body.baton);
      if (!stream) throw new ProtocolError("the stream of this baton has expired or never existed", "STREAM_EXPIRED");
      streams.delete(body.baton);
      if (stream.timer) clearTimeout(stream.timer);
    } else {
      stream = { exec: new StreamExecutor(db, prepare), timer: null };
    }
    while (owner && owner !== stream) await new Promise<void>((resolve) => waiters.push(resolve));
    // From here to the response nothing awaits: the requests run as one unit on the connection.
    const results: StreamResult[] = [];
    let closed = false;
    for (const req of body.requests) {
      if (closed) {
        results.push({ type: "error", error: { message: "the stream is closed", code: "STREAM_CLOSED" } });
        continue;
      }
      results.push(stream.exec.handle(req));
      if (req.type === "close") closed = true;
    }
    if (closed) {
      if (db.inTransaction) db.exec("ROLLBACK");
      owner = stream;
      release(stream);
      return { baton: null, base_url: null, results };
    }
    if (db.inTransaction) owner = stream;
    else {
      owner = stream;
      release(stream);
    }
    const baton = randomBytes(18).toString("base64url");
    const kept = stream;
    kept.timer = setTimeout(() => drop(baton, kept), idleMs);
    kept.timer.unref();
    streams.set(baton, kept);
    return { baton, base_url: null, results };
  }

  const send = (res: ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
    res.end(text);
  };

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const path = (req.url ?? "/").split("?")[0];
    if (opts.authToken && req.headers.authorization !== `Bearer ${opts.authToken}`) {
      return send(res, 401, { message: "missing or wrong auth token", code: "UNAUTHORIZED" });
    }
    if (req.method === "GET" && (path === "/" || path === "/health" || path === "/v2")) return send(res, 200, { ok: true });
    if (req.method !== "POST" || path !== "/v2/pipeline") return send(res, 404, { message: `no endpoint ${req.method} ${path}`, code: "NOT_FOUND" });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY) return send(res, 413, { message: "request body too large", code: "PAYLOAD_TOO_LARGE" });
      chunks.push(chunk as Buffer);
    }
    let body: { baton?: string | null; requests?: HranaRequest[] };
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      return send(res, 400, { message: "malformed JSON", code: "PROTOCOL_ERROR" });
    }
    try {
      send(res, 200, await pipeline(body));
    } catch (err) {
      if (err instanceof ProtocolError) return send(res, 400, { message: err.message, code: err.code });
      send(res, 500, { message: String(err), code: "INTERNAL" });
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) send(res, 500, { message: String(err), code: "INTERNAL" });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${opts.host ?? "127.0.0.1"}:${port}`,
    port,
    db,
    close: () =>
      new Promise<void>((resolve) => {
        for (const [baton, s] of streams) {
          if (s.timer) clearTimeout(s.timer);
          drop(baton, s);
        }
        server.close(() => {
          db.close();
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}
