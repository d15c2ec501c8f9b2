// Child process of bench/postback.ts: an open-loop load at a fixed rate (requests are sent on
// schedule whatever the server does), so a slow server shows as latency instead of hiding it by
// slowing the sender down (coordinated omission). Latency is measured from the scheduled send.
import http from 'node:http';

export interface RateConfig {
  url: string; // e.g. http://127.0.0.1:1234/v1/conversions
  key: string;
  clickId: string;
  rate: number; // requests per second
  seconds: number;
  /** order ids start with this (unique per run) */
  prefix: string;
}
export interface RateResult {
  sent: number;
  created: number; // 201
  other: Record<string, number>; // status → count (errors as "error <code>")
  /** requests sent again after a kept-alive socket the server had just closed reset them */
  retried: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  seconds: number;
}

const cfg = JSON.parse(process.argv[2] ?? '{}') as RateConfig;
const url = new URL(cfg.url);
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const latencies: number[] = [];
const other: Record<string, number> = {};
let created = 0;
let sent = 0;
let inFlight = 0;
let retried = 0;

function fire(scheduledAt: number, n: number, again = false): void {
  const body = JSON.stringify({ orderId: `${cfg.prefix}-${n}`, event: 'sale', amount: '49.99', clickId: cfg.clickId });
  if (!again) inFlight++;
  const req = http.request(
    { agent, host: url.hostname, port: url.port, path: url.pathname, method: 'POST',
      headers: { authorization: `Bearer ${cfg.key}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
    (res) => {
      res.resume();
      res.on('end', () => {
        inFlight--;
        latencies.push(performance.now() - scheduledAt);
        if (res.statusCode === 201) created++;
        else other[String(res.statusCode)] = (other[String(res.statusCode)] ?? 0) + 1;
      });
    },
  );
  req.on('error', (err: NodeJS.ErrnoException) => {
    // A kept-alive socket that sat idle past the server's keep-alive timeout can be closed by the
    // server just as a request goes out on it: the request never reached the server, and Node's
    // documentation says to send it again (req.reusedSocket). Its latency still counts from its
    // scheduled send.
    if (req.reusedSocket && err.code === 'ECONNRESET' && !again) {
      retried++;
      fire(scheduledAt, n, true);
      return;
    }
    inFlight--;
    latencies.push(performance.now() - scheduledAt);
    const key = `error ${err.code ?? err.message}`;
    other[key] = (other[key] ?? 0) + 1;
  });
  req.end(body);
}

const quantile = (sorted: number[], q: number) => sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : 0;

async function main(): Promise<void> {
  const start = performance.now();
  const total = Math.round(cfg.rate * cfg.seconds);
  const interval = 1000 / cfg.rate;
  // Every millisecond, send what the schedule says is due (the timer itself drifts, the schedule does not).
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const due = Math.min(total, Math.floor((performance.now() - start) / interval) + 1);
      while (sent < due) {
        fire(start + sent * interval, sent);
        sent++;
      }
      if (sent >= total) {
        clearInterval(tick);
        resolve();
      }
    }, 1);
  });
  const deadline = performance.now() + 60_000;
  while (inFlight > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  const sorted = latencies.sort((a, b) => a - b);
  const result: RateResult = {
    sent, created, other, retried, p50_ms: quantile(sorted, 0.5), p99_ms: quantile(sorted, 0.99), max_ms: sorted.at(-1) ?? 0,
    seconds: (performance.now() - start) / 1000,
  };
  process.send?.(result);
  agent.destroy();
}

void main();
