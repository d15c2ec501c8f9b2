import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createFixture, createTestApp, expectError, type TestApp } from "../helpers/app";

// Contract, second round: logs never contain a key, a full SQL statement with its parameters, or
// a stack trace at the default log level (AFFLUX_LOG_LEVEL=debug may show them). Internal errors
// are provoked for real: a table the queries need is dropped, so drizzle's error carries the
// statement and its parameters (here the vendor's id), as it would in production.

describe("error logs", () => {
  let t: TestApp;
  let f: Awaited<ReturnType<typeof createFixture>>;
  let lines: string[];
  const savedLevel = process.env.AFFLUX_LOG_LEVEL;

  beforeEach(async () => {
    t = await createTestApp();
    f = await createFixture(t);
    lines = [];
    // our own output, captured: everything console.error/warn/log is given, as the terminal would print it
    const { inspect } = await import("node:util");
    const capture = (...args: unknown[]) => void lines.push(args.map((a) => (typeof a === "string" ? a : inspect(a, { depth: 5 }))).join(" "));
    for (const m of ["error", "warn", "log", "info"] as const) vi.spyOn(console, m).mockImplementation(capture);
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    if (savedLevel === undefined) delete process.env.AFFLUX_LOG_LEVEL;
    else process.env.AFFLUX_LOG_LEVEL = savedLevel;
    await t.close();
  });

  function expectClean(vendorId: string) {
    const all = lines.join("\n");
    expect(all).not.toMatch(/\b(select|insert|update|delete)\b/i);
    expect(all).not.toMatch(/params:/i);
    expect(all).not.toContain(vendorId);
    expect(all).not.toMatch(/afx_(sk|pk|pb|pub)_/);
    expect(all).not.toMatch(/^\s+at .+[:(]/m); // no stack frames
  }

  it("an unhandled API error logs class, code and a message without SQL, parameters or stack", async () => {
    delete process.env.AFFLUX_LOG_LEVEL;
    await t.client.execute("DROP TABLE links");
    await expectError(await t.request("/api/v1/links", { key: f.vendorKey }), 500, "internal");
    expect(lines.length).toBeGreaterThan(0);
    const all = lines.join("\n");
    expect(all).toContain("no such table"); // the cause is still told
    expect(all).toMatch(/SQLITE_ERROR/);
    expectClean(f.vendor.id);
  });

  it("the pixel's failures are logged the same way", async () => {
    delete process.env.AFFLUX_LOG_LEVEL;
    await t.client.execute("PRAGMA foreign_keys = OFF");
    await t.client.execute("DROP TABLE conversions");
    const { click } = await import("../helpers/app");
    const clickId = await click(t, "anna");
    const res = await t.request(`/px.gif?pk=${f.publicKey}&order=o-1&amount=10&click=${clickId}`);
    expect(res.status).toBe(200);
    expect(lines.join("\n")).toContain("pixel");
    expectClean(f.vendor.id);
    expect(lines.join("\n")).not.toContain(f.publicKey);
    expect(lines.join("\n")).not.toContain(clickId);
  });

  it("AFFLUX_LOG_LEVEL=debug adds the stack", async () => {
    process.env.AFFLUX_LOG_LEVEL = "debug";
    await t.client.execute("DROP TABLE links");
    await expectError(await t.request("/api/v1/links", { key: f.vendorKey }), 500, "internal");
    expect(lines.join("\n")).toMatch(/^\s+at .+[:(]/m);
  });
});

describe("redact and describeError", () => {
  it("take out drizzle's statement and parameters but keep libSQL's cause and code", async () => {
    const { DrizzleQueryError } = await import("drizzle-orm/errors");
    const { describeError } = await import("../../src/log");
    const cause = Object.assign(new Error("SQLITE_CONSTRAINT: UNIQUE constraint failed: partners.email"), { code: "SQLITE_CONSTRAINT" });
    const line = describeError(new DrizzleQueryError(`insert into "partners" ("id", "email") values (?, ?)`, ["ptn_1", "anna@example.com"], cause));
    expect(line).toBe("DrizzleQueryError: query failed ← caused by Error(SQLITE_CONSTRAINT): SQLITE_CONSTRAINT: UNIQUE constraint failed: partners.email");
  });

  it("take out statements, keys and bearer tokens from any text, and leave plain words alone", async () => {
    const { redact } = await import("../../src/log");
    expect(redact(`near: SELECT * FROM api_keys WHERE hash = 'abc'`)).toBe("near: [statement removed]");
    expect(redact("UPDATE programs SET name = 'x' failed")).toBe("[statement removed]");
    expect(redact("key afx_sk_0123456789abcdef and afx_pb_xyz were refused; header Bearer s3cret")).toBe("key afx_… and afx_… were refused; header Bearer …");
    expect(redact("could not update the batch: delete failed")).toBe("could not update the batch: delete failed");
    expect(redact("x".repeat(1000)).length).toBeLessThanOrEqual(301);
  });
});
