import { createTransport } from "nodemailer";
import type { MailTransport } from "./deliver";

/**
 * SMTP through nodemailer, from `AFFLUX_SMTP_URL` (`smtp://user:pass@host:587`, `smtps://…`).
 * Node only: on the Workers mails wait in the outbox (no SMTP socket there).
 */
export function smtpTransport(url: string, from: string): MailTransport & { close(): void } {
  const transporter = createTransport(url, { from });
  return {
    async send(mail) {
      await transporter.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text });
    },
    close: () => transporter.close(),
  };
}
