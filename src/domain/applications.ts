import type { ApplicationSettings } from "../db/schema/programs";

/**
 * The rules of applications: program handles, the application form's settings, and which
 * applicants are approved at once. Pure: the service gathers the facts, these decide.
 */
export type AutoApproveRule = ApplicationSettings["autoApprove"][number];
export type Question = ApplicationSettings["questions"][number];

export const HANDLE_PATTERN = /^[a-z0-9-]{3,40}$/;

/** A handle from a program's name: lower-case ASCII, runs of anything else as one `-`, 3–40 characters. */
export function handleFromName(name: string): string {
  const base = name.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40).replace(/-+$/, "");
  return base.length >= 3 ? base : `${base || "program"}-program`.replace(/^-/, "").slice(0, 40);
}

/** The n-th candidate when the plain handle is taken: `shop`, `shop-2`, `shop-3`… (still ≤ 40 characters). */
export function handleCandidate(base: string, n: number): string {
  if (n <= 1) return base;
  const suffix = `-${n}`;
  return `${base.slice(0, 40 - suffix.length).replace(/-+$/, "")}${suffix}`;
}

/** The domain of an email address, lower-cased (what `emailDomain` rules compare). */
export const emailDomainOf = (email: string) => email.slice(email.lastIndexOf("@") + 1).toLowerCase();

/** Facts of an applicant the rules look at. */
export interface ApplicantFacts {
  email: string;
  country: string | null;
}

function holds(rule: AutoApproveRule, a: ApplicantFacts): boolean {
  const value = rule.field === "country" ? a.country?.toUpperCase() ?? null : emailDomainOf(a.email);
  const values = rule.values.map((v) => (rule.field === "country" ? v.toUpperCase() : v.toLowerCase()));
  const listed = value !== null && values.includes(value);
  // an applicant without a country is never "is DE" and never "is not DE": an unknown fact approves nothing
  if (value === null) return false;
  return rule.op === "is" ? listed : !listed;
}

/** Auto-approval: every rule must hold; no rules means a manager reviews each application. */
export function autoApproves(rules: readonly AutoApproveRule[], a: ApplicantFacts): boolean {
  return rules.length > 0 && rules.every((r) => holds(r, a));
}

/** The first required question without an answer (blank counts as missing), or null. */
export function missingAnswer(questions: readonly Question[], answers: Readonly<Record<string, string>>): Question | null {
  return questions.find((q) => q.required && !(answers[q.id] ?? "").trim()) ?? null;
}

/** Only answers to the program's questions are kept (trimmed, ≤ 2000 characters each). */
export function keptAnswers(questions: readonly Question[], answers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const q of questions) {
    const a = (answers[q.id] ?? "").trim();
    if (a) out[q.id] = a.slice(0, 2000);
  }
  return out;
}

export type Check<T> = { ok: true; value: T } | { ok: false; field: string; message: string };

/** Checks application settings (a partial change merged onto the current ones). */
export function checkApplicationSettings(next: ApplicationSettings): Check<ApplicationSettings> {
  const ids = new Set<string>();
  for (const [i, q] of next.questions.entries()) {
    if (ids.has(q.id)) return { ok: false, field: `applications.questions.${i}.id`, message: `question id "${q.id}" is used twice` };
    ids.add(q.id);
  }
  for (const [i, r] of next.autoApprove.entries()) {
    if (r.field === "country" && r.values.some((v) => !/^[A-Za-z]{2}$/.test(v))) return { ok: false, field: `applications.autoApprove.${i}.values`, message: "countries are ISO 3166-1 alpha-2 codes (DE, FR)" };
    if (r.field === "emailDomain" && r.values.some((v) => !/^[a-z0-9.-]+\.[a-z0-9-]+$/i.test(v))) return { ok: false, field: `applications.autoApprove.${i}.values`, message: "email domains look like example.com" };
  }
  return {
    ok: true,
    value: {
      enabled: next.enabled,
      questions: next.questions.map((q) => ({ id: q.id, label: q.label.trim(), required: q.required })),
      autoApprove: next.autoApprove.map((r) => ({ field: r.field, op: r.op, values: r.values.map((v) => (r.field === "country" ? v.toUpperCase() : v.toLowerCase())) })),
    },
  };
}
