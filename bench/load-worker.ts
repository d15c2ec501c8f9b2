// Child process of load.ts: runs autocannon against one URL and reports over IPC.
// At the end of the duration every connection finishes its in-flight request before closing,
// so each request the server received is answered and counted (exact click accounting).
import autocannon from 'autocannon';

export interface WorkerConfig { url: string; seconds: number; connections: number; userAgent: string }
export type WorkerMessage =
  | { type: 'ended'; startedAt: number; endedAt: number; answered: number; completed: number }
  | { type: 'result'; result: autocannon.Result };

const cfg = JSON.parse(process.argv[2] ?? '{}') as WorkerConfig;
const send = (m: WorkerMessage): void => void process.send?.(m);

const clients: autocannon.Client[] = [];
let done = 0;
let answered = 0; // 3xx
let completed = 0; // every response
let endedAt = 0;
const startedAt = Date.now();

function finish(): void {
  if (endedAt) return;
  endedAt = Date.now();
  send({ type: 'ended', startedAt, endedAt, answered, completed });
  instance.stop(); // the result follows at autocannon's next 1 s tick
}

const instance = autocannon(
  {
    url: cfg.url,
    connections: cfg.connections,
    pipelining: 1,
    duration: cfg.seconds + 30, // safety net; the graceful stop below ends the run
    headers: {
      'user-agent': cfg.userAgent,
      accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
      'accept-language': 'en-US,en;q=0.9',
    },
    setupClient: (client) => {
      clients.push(client);
      client.on('response', (status: number) => {
        completed++;
        if (status >= 300 && status < 400) answered++;
      });
      client.on('done', () => {
        if (++done === clients.length) finish();
      });
    },
  },
  (err, result) => {
    if (err) {
      process.stderr.write(`autocannon failed: ${err.message}\n`);
      process.exit(2);
    }
    if (!endedAt) finish();
    process.send?.({ type: 'result', result } satisfies WorkerMessage, () => process.exit(0));
  },
);

setTimeout(() => {
  // graceful stop: each client closes after the response to the request it has in flight
  for (const c of clients) c.responseMax = Math.max(1, c.reqsMade);
  setTimeout(finish, 5_000).unref(); // server stuck: give up waiting for in-flight responses
}, cfg.seconds * 1000);
