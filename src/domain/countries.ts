/**
 * ISO 3166-1 alpha-2 codes, as the runtime's ICU data knows them: `Intl.DisplayNames` answers
 * the code itself for a code it has no region name for.
 */
const regions = new Intl.DisplayNames(["en"], { type: "region", fallback: "code" });

/** region codes ICU names that are not countries */
const NOT_COUNTRIES = new Set(["ZZ", "EU", "EZ", "UN", "QO"]);

export function isCountryCode(code: string): boolean {
  if (!/^[A-Z]{2}$/.test(code) || NOT_COUNTRIES.has(code)) return false;
  try {
    return regions.of(code) !== code;
  } catch {
    return false;
  }
}

export const countryName = (code: string) => (isCountryCode(code) ? regions.of(code)! : code);
