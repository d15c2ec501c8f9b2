// Load generator: autocannon in a separate process (pinned to the load core) against one URL.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CPU, ROOT, pinned } from './lib.js';
import type { WorkerConfig, WorkerMessage } from './load-worker.js';

export const BROWSER_UA =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

export interface LoadResult {
  rps: number; // mean responses per second over the load window
  p50_ms: number;
  p99_ms: number;
  answered: number; // 3xx responses
  errors: number;
  non3xx: number;
  seconds: number; // actual load window
  endedAt: number; // epoch ms when the last response arrived
}
export interface LoadEnd { endedAt: number; answered: number }
export interface LoadOptions { seconds?: number; connections?: number; onEnded?: (e: LoadEnd) => void }

export const benchSeconds = (): number => Number(process.env.BENCH_SECONDS ?? 10) || 10;

export function runLoad(url: string, opts: LoadOptions = {}): Promise<LoadResult> {
  const cfg: WorkerConfig = {
    url,
    seconds: opts.seconds ?? benchSeconds(),
    connections: opts.connections ?? 50,
    userAgent: BROWSER_UA,
  };
  const worker = fileURLToPath(new URL('./load-worker.ts', import.meta.url));
  const [cmd, args] = pinned(CPU.load, [process.execPath, '--import', 'tsx', worker, JSON.stringify(cfg)]);
  const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    let end: Extract<WorkerMessage, { type: 'ended' }> | undefined;
    let settled = false;
    child.on('message', (m: WorkerMessage) => {
      if (m.type === 'ended') {
        end = m;
        opts.onEnded?.({ endedAt: m.endedAt, answered: m.answered });
        return;
      }
      const r = m.result;
      if (!end) return reject(new Error('load worker sent a result before the end of the load'));
      if (r['3xx'] !== end.answered) {
        process.stderr.write(`[bench] note: autocannon 3xx ${r['3xx']} vs counted ${end.answered}\n`);
      }
      const seconds = (end.endedAt - end.startedAt) / 1000;
      settled = true;
      resolve({
        rps: end.completed / seconds,
        p50_ms: r.latency.p50,
        p99_ms: r.latency.p99,
        answered: end.answered,
        errors: r.errors,
        non3xx: r['1xx'] + r['2xx'] + r['4xx'] + r['5xx'],
        seconds,
        endedAt: end.endedAt,
      });
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (!settled) reject(new Error(`load worker exited (code ${code}) without a result`));
    });
  });
}
