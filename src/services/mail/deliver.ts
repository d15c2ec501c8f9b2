import type { Db } from "../../db/client";
import { claimDueMails, markMailFailed, markMailSent } from "../../db/queries/mail";
import { nextMailAttempt, renderBody } from "../../domain/mail";

/** What sends one mail; nodemailer over SMTP in Node (see smtp.ts). */
export interface MailTransport {
  send(mail: { to: string; subject: string; text: string }): Promise<void>;
}

/** How long a claimed mail is left to its sender before another may try (longer than an SMTP timeout). */
const LEASE_MS = 120_000;
const BATCH = 50;

/**
 * The mail job: sends the mails that are due, each at most once at a time (claimed), retried
 * with backoff when the server refuses or is away, given up after the last retry. Without a
 * transport (no AFFLUX_SMTP_URL) it does nothing: mails wait in the outbox the dashboard shows.
 */
export async function deliverMails(db: Db, now: number, transport: MailTransport | null): Promise<{ sent: number; failed: number }> {
  if (!transport) return { sent: 0, failed: 0 };
  let sent = 0;
  let failed = 0;
  for (const mail of await claimDueMails(db, now, BATCH, LEASE_MS)) {
    try {
      await transport.send({ to: mail.to, subject: mail.subject, text: renderBody(mail.body, mail.link) });
      await markMailSent(db, mail.id, now);
      sent++;
    } catch (err) {
      failed++;
      await markMailFailed(db, mail.id, err instanceof Error ? err.message : String(err), nextMailAttempt(mail.attempts + 1, now));
    }
  }
  return { sent, failed };
}
