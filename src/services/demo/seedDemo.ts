import type { Db } from "../../db/client";
import { insertVendor } from "../../db/queries/keys";
import { insertPartner } from "../../db/queries/partners";
import { entryTierId, insertProgram, insertRule } from "../../db/queries/programs";
import { createLink } from "../links/createLink";

const PARTNERS = ["Anna Reviews", "Ben's Deals", "Clara Codes", "Dev Weekly", "Eva Travels"];

/**
 * Seeds a small demo account to explore the API with. (Ninety days of generated traffic for the
 * dashboard come with the dashboard issue.)
 */
export async function seedDemo(db: Db, publicUrl: string, log: (line: string) => void) {
  const now = Date.now();
  const vendor = await insertVendor(db, "Demo Shop Inc.", now);
  const { program, postbackKey, publicKey } = await insertProgram(
    db,
    { vendorId: vendor.id, name: "Demo Shop Partners", currency: "USD", cookieDays: 30, attribution: "last_click", holdDays: 30, allowedDomains: ["shop.example.com", ".example.com"], clickParam: "afx_click", minPayout: 5000 },
    now,
  );
  await insertRule(db, { programId: program.id, tierId: null, event: "sale", type: "percent", value: 200_000, createdAt: now });
  await insertRule(db, { programId: program.id, tierId: null, event: "lead", type: "flat", value: 500, createdAt: now });
  log(`vendor ${vendor.id}  admin key: ${vendor.apiKey}`);
  log(`program ${program.id}  postback key: ${postbackKey}  public key: ${publicKey}`);
  for (const [i, name] of PARTNERS.entries()) {
    const { partner, apiKey } = await insertPartner(db, { vendorId: vendor.id, programId: program.id, name, email: `partner${i + 1}@example.com`, coupon: `DEMO${i + 1}`, tierId: await entryTierId(db, program.id) }, now);
    const link = await createLink(db, program, { partnerId: partner.id, destination: "https://shop.example.com/", allowDeepLinks: true }, now);
    log(`partner ${name.padEnd(14)} key: ${apiKey}  link: ${link.kind === "created" ? `${publicUrl}/${link.link.slug}` : "-"}`);
  }
  log(`open ${publicUrl}/api/reference to try the API with these keys`);
}
