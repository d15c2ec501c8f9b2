import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestApp, okJson, type TestApp } from "../helpers/app";
import { LOCAL, deliver, startReceiver, verifyAt, type Receiver } from "../webhooks/receiver";
import { engageFixture } from "./fixture";

const T0 = Date.UTC(2026, 10, 22, 10, 0, 0, 0);

describe("announcement.published goes out as a signed webhook", () => {
  let t: TestApp;
  let rx: Receiver;
  beforeEach(async () => {
    t = await createTestApp({ now: T0, webhookTargets: LOCAL });
    rx = await startReceiver();
  });
  afterEach(async () => { await t.close(); await rx.close(); });

  it("with the announcement as the API shows it", async () => {
    const f = await engageFixture(t);
    const { secret } = await okJson(await t.request("/api/v1/webhooks", { method: "POST", key: f.vendorKey, json: { url: `${rx.url}/hook`, events: ["announcement.published"] } }), 201);
    const a = await okJson(await f.announce({ title: "Hello", body: "News.", tierIds: [f.tierB] }), 201);
    expect(await deliver(t)).toMatchObject({ attempted: 1, succeeded: 1 });
    const body = verifyAt(secret, rx.received[0]!);
    expect(body).toEqual({ type: "announcement.published", timestamp: new Date(T0).toISOString(), data: a });
  });
});
