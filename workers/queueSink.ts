import { ClientClickStore } from "../src/db/queries/clicks";
import type { ClickSink } from "../src/services/tracking/clickSink";
import { type ClickEvent, type ClickRow, enrichClick } from "../src/services/tracking/clickEvent";

/**
 * The Worker's click sink. `push` runs on the redirect path: it enriches the click at once, so
 * the raw IP and user agent never leave the request, and only keeps the row. The fetch handler
 * then hands every kept row to `ctx.waitUntil(sink.drain())` after the response is built (a
 * push happens before its own request's drain, so no row waits for another request).
 * Queue `send` failures fall back to a direct, idempotent write to libSQL in the same waitUntil.
 */
/** The part of a Cloudflare `Queue<ClickRow>` binding the sink uses (so it also runs in plain Node tests). */
export interface ClickQueue {
  send(body: ClickRow, options?: { contentType?: "v8" }): Promise<unknown>;
  sendBatch(messages: Iterable<{ body: ClickRow; contentType?: "v8" }>): Promise<unknown>;
}

export class QueueClickSink implements ClickSink {
  private rows: ClickRow[] = [];

  constructor(
    private readonly queue: ClickQueue,
    private readonly store: ClientClickStore,
    private readonly secret: string,
    private readonly log: (msg: string) => void = console.error,
  ) {}

  push(event: ClickEvent): void {
    this.rows.push(enrichClick(event, this.secret));
  }

  drain(): Promise<void> | null {
    if (this.rows.length === 0) return null;
    const rows = this.rows;
    this.rows = [];
    return this.send(rows);
  }

  private async send(rows: ClickRow[]): Promise<void> {
    try {
      if (rows.length === 1) await this.queue.send(rows[0]!, { contentType: "v8" });
      else await this.queue.sendBatch(rows.map((body) => ({ body, contentType: "v8" as const })));
    } catch (err) {
      this.log(`queue send failed (${String(err)}); writing ${rows.length} click(s) directly`);
      await this.store.insert(rows);
      await this.store.rollup();
    }
  }
}
