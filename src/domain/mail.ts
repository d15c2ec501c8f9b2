/**
 * The e-mails afflux sends, as plain text. Pure: the mail job fills `{link}` with the secret
 * link (kept apart from the stored body, and erased once sent).
 */
export interface MailContent {
  kind: string;
  subject: string;
  body: string;
  /** a secret URL (a sign-in token) the body points to as `{link}` */
  link?: string | null;
}

const signature = (program: string) => `\n\n— ${program}, through afflux`;

export function signInMail(partnerName: string, program: string, url: string): MailContent {
  return {
    kind: "signin", subject: `Your sign-in link for ${program}`, link: url,
    body: `Hello ${partnerName},\n\nsign in to your ${program} partner portal with this link (it works once, for 72 hours):\n\n{link}${signature(program)}`,
  };
}

export function applicationReceivedMail(name: string, program: string): MailContent {
  return {
    kind: "application.received", subject: `We received your application to ${program}`,
    body: `Hello ${name},\n\nthank you for applying to the ${program} partner program. We will write to you when it has been reviewed.${signature(program)}`,
  };
}

export function applicationApprovedMail(name: string, program: string, signInUrl: string): MailContent {
  return {
    kind: "application.approved", subject: `Welcome to ${program}`, link: signInUrl,
    body: `Hello ${name},\n\nyour application to the ${program} partner program was approved. Sign in to your portal (the link works once, for 72 hours):\n\n{link}${signature(program)}`,
  };
}

export function applicationRejectedMail(name: string, program: string, reason: string | null): MailContent {
  return {
    kind: "application.rejected", subject: `Your application to ${program}`,
    body: `Hello ${name},\n\nyour application to the ${program} partner program was not accepted${reason ? `: ${reason}` : "."}${signature(program)}`,
  };
}

export function agreementMail(name: string, program: string, version: number, portalUrl: string): MailContent {
  return {
    kind: "agreement", subject: `New partner terms for ${program} (version ${version})`,
    body: `Hello ${name},\n\n${program} published version ${version} of its partner terms. Please read and accept them in your portal: ${portalUrl}${signature(program)}`,
  };
}

export function announcementMail(name: string, program: string, title: string, text: string): MailContent {
  return { kind: "announcement", subject: `${program}: ${title}`, body: `Hello ${name},\n\n${text}${signature(program)}` };
}

/** The body as sent: the secret link put in its place. */
export function renderBody(body: string, link: string | null): string {
  return body.replaceAll("{link}", link ?? "(link no longer available)");
}

/** Retry delays after a failed send; after the last one the mail is given up. */
export const MAIL_RETRY_MS = [60_000, 5 * 60_000, 30 * 60_000, 2 * 3_600_000, 6 * 3_600_000, 12 * 3_600_000] as const;

/** When to try again after `attempts` failed sends (null: give up). */
export function nextMailAttempt(attempts: number, now: number): number | null {
  const delay = MAIL_RETRY_MS[attempts - 1];
  return delay === undefined ? null : now + delay;
}
