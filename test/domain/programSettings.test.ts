import { describe, expect, it } from "vitest";
import { checkAllowedDomains, checkSettingsChange } from "../../src/domain/programSettings";

describe("allowedDomains: registrable hosts or subdomains of one, never a public suffix", () => {
  it.each([
    "com", ".com", "COM.", "co.uk", ".co.uk", "github.io", ".github.io", "blogspot.com", ".s3.amazonaws.com", "uk", ".xn--p1ai", "рф",
  ])("refuses the public suffix %s", (entry) => {
    const r = checkAllowedDomains(["shop.example.com", entry]);
    expect(r).toMatchObject({ ok: false, field: "allowedDomains.1" });
    if (!r.ok) expect(r.message).toMatch(/public suffix/);
  });

  it.each([
    ["example.com", "example.com"], [".example.com", ".example.com"], ["shop.example.co.uk", "shop.example.co.uk"], [".example.co.uk", ".example.co.uk"],
    ["me.github.io", "me.github.io"], [".me.github.io", ".me.github.io"], ["localhost", "localhost"], ["intranet", "intranet"], ["127.0.0.1", "127.0.0.1"],
    ["[::1]", "[::1]"], ["Shop.Example.COM", "shop.example.com"], ["пример.рф", "xn--e1afmkfd.xn--p1ai"], ["app.internal", "app.internal"],
  ])("keeps %s", (entry, stored) => {
    expect(checkAllowedDomains([entry])).toEqual({ ok: true, value: [stored] });
  });

  it("applies to a settings change too", () => {
    expect(checkSettingsChange({ allowedDomains: [".com"] }, "USD")).toMatchObject({ ok: false, field: "allowedDomains.0" });
    expect(checkSettingsChange({ allowedDomains: [".example.com"] }, "USD")).toEqual({ ok: true, value: { allowedDomains: [".example.com"] } });
  });
});
