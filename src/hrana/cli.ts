import { startHranaServer } from "./server";

const USAGE = `usage: npm run hrana -- [--db file:./data/edge.db] [--port 8080] [--host 127.0.0.1] [--token TOKEN]
Serves a libSQL database over Hrana/HTTP (POST /v2/pipeline) for @libsql/client in remote mode.`;

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

/** `npm run hrana`: the local stand-in for sqld / `turso dev`, bound to loopback by default. */
async function main(args: string[]) {
  if (args.includes("--help")) return console.log(USAGE);
  const server = await startHranaServer({
    db: flag(args, "db") ?? "file:./data/edge.db",
    port: Number(flag(args, "port") ?? 8080),
    host: flag(args, "host") ?? "127.0.0.1",
    authToken: flag(args, "token") ?? process.env.HRANA_AUTH_TOKEN,
  });
  console.log(`hrana listening on ${server.url} (database ${flag(args, "db") ?? "file:./data/edge.db"})`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main(process.argv.slice(2)).catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
