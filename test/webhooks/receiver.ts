import { Webhook } from "standardwebhooks";
import { vi } from "vitest";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { runWebhookDeliveries, type DeliveryContext } from "../../src/services/webhooks/deliver";
import type { TargetPolicy } from "../../src/services/webhooks/targets";
import { SECRET, type TestApp } from "../helpers/app";

export interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Answer {
  status: number;
  body?: string;
  headers?: Record<string, string>;
  /** wait this long before answering */
  delayMs?: number;
  /** send the status and headers at once, the body this much later */
  bodyDelayMs?: number;
}

/**
 * A real HTTP receiver in the test process (127.0.0.1, port 0): records every request and
 * answers what `answer` says (200 "ok" unless changed).
 */
export async function startReceiver() {
  const received: Received[] = [];
  let answer: (r: Received) => Answer = () => ({ status: 200, body: "ok" });
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const r: Received = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
      received.push(r);
      const a = answer(r);
      setTimeout(() => {
        res.writeHead(a.status, { "content-type": "text/plain", ...a.headers });
        if (a.bodyDelayMs === undefined) return res.end(a.body ?? "");
        res.flushHeaders();
        setTimeout(() => res.end(a.body ?? ""), a.bodyDelayMs);
      }, a.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    answer(fn: (r: Received) => Answer) { answer = fn; },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
export type Receiver = Awaited<ReturnType<typeof startReceiver>>;

export const LOCAL: TargetPolicy = { allowPrivate: true };

/** The delivery job as the server runs it, at the test app's clock. */
export function deliver(t: TestApp, targets: TargetPolicy = LOCAL, extra: Partial<DeliveryContext> = {}) {
  return runWebhookDeliveries({ db: t.db, secret: SECRET, targets, ...extra }, t.clock.now);
}

/** The headers a Standard Webhooks verifier takes. */
export const swHeaders = (r: Received) => ({
  "webhook-id": String(r.headers["webhook-id"]), "webhook-timestamp": String(r.headers["webhook-timestamp"]), "webhook-signature": String(r.headers["webhook-signature"]),
});

/**
 * standardwebhooks' own `Webhook.verify` of a received request, at the time its timestamp says
 * (the verifier's 5-minute tolerance is against the system clock; tests run on a moved clock).
 */
export function verifyAt(secret: string, r: Received): { type: string; timestamp: string; data: Record<string, any> } {
  vi.useFakeTimers({ toFake: ["Date"] });
  try {
    vi.setSystemTime(Number(r.headers["webhook-timestamp"]) * 1000);
    return new Webhook(secret).verify(r.body, swHeaders(r)) as { type: string; timestamp: string; data: Record<string, any> };
  } finally {
    vi.useRealTimers();
  }
}
