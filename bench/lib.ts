// Shared helpers: repo paths, free ports, child servers (started, awaited, stopped by PID), stats.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const log = (msg: string): void => void process.stderr.write(`[bench] ${msg}\n`);
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function median(xs: number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export const round = (x: number, digits = 2): number => Number(x.toFixed(digits));

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}

/** CPU pinning: server on core 0, load generator on core 1 (when taskset and 2+ cores exist). */
const canPin = availableParallelism() >= 2 && spawnSync('taskset', ['-c', '0', 'true']).status === 0;
export const CPU = { server: '0', load: '1' } as const;
export function pinned(cpu: string, args: string[]): [string, string[]] {
  return canPin ? ['taskset', ['-c', cpu, ...args]] : [args[0]!, args.slice(1)];
}

export interface Server {
  name: string;
  proc: ChildProcess;
  base: string;
  tail: () => string;
  stop: () => Promise<void>;
}

const running = new Set<Server>();

/** Start `node --import tsx <script>` on a free port, pinned to the server core. */
export async function startServer(name: string, script: string, env: Record<string, string>): Promise<Server> {
  const port = await freePort();
  // BENCH_PROFILE=<dir>: the server writes a V8 CPU profile there when it stops (open it in
  // Chrome's DevTools), to find where a figure's time goes.
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const [cmd, args] = pinned(CPU.server, [process.execPath, ...profile, '--import', 'tsx', script]);
  const proc = spawn(cmd, args, {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const keep = (chunk: Buffer): void => {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (lines.length > 40) lines.splice(0, lines.length - 40);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const server: Server = {
    name,
    proc,
    base: `http://127.0.0.1:${port}`,
    tail: () => lines.join('\n'),
    stop: async () => {
      running.delete(server);
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const t0 = Date.now();
      const timedOut = await Promise.race([exited.then(() => false), sleep(20_000).then(() => true)]);
      if (timedOut) {
        log(`${name} (pid ${proc.pid}) ignored SIGTERM for 20 s; sending SIGKILL`);
        proc.kill('SIGKILL');
        await exited;
      } else log(`${name} (pid ${proc.pid}) exited ${Date.now() - t0} ms after SIGTERM`);
    },
  };
  running.add(server);
  log(`started ${name} (pid ${proc.pid}) on ${server.base}`);
  return server;
}

/** Wait until GET base+path answers `status` (no redirects followed). */
export async function waitReady(s: Server, path: string, status: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (s.proc.exitCode !== null || s.proc.signalCode !== null) {
      throw new Error(`${s.name} exited (code ${s.proc.exitCode}, signal ${s.proc.signalCode}) before ` +
        `GET ${path} answered ${status}. Last output:\n${s.tail()}`);
    }
    try {
      const res = await fetch(s.base + path, { redirect: 'manual' });
      await res.arrayBuffer();
      if (res.status === status) return;
      last = `status ${res.status}`;
    } catch (e) {
      last = (e as Error).message;
    }
    await sleep(100);
  }
  throw new Error(`${s.name}: GET ${path} did not answer ${status} within ${timeoutMs} ms (last: ${last}). ` +
    `Last output:\n${s.tail()}`);
}

/** Stop every server still running (used on errors and signals). */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((s) => s.stop()));
}

/**
 * CPU time (user + system, ms) a process has used, from /proc. Throughput on a shared machine
 * swings with its neighbours; CPU per request is the steadier measure of our own cost.
 */
export function cpuMs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return null;
  }
}
const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim()) || 100;
