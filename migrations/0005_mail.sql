CREATE TABLE `mails` (
	`id` text PRIMARY KEY NOT NULL,
	`vendor_id` text NOT NULL,
	`program_id` text,
	`kind` text NOT NULL,
	`to` text NOT NULL,
	`subject` text NOT NULL,
	`body` text NOT NULL,
	`link` text,
	`dedupe_key` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`claimed_until` integer,
	`last_error` text,
	`sent_at` integer,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `mails_dedupe_uq` ON `mails` (`dedupe_key`);--> statement-breakpoint
CREATE INDEX `mails_due_idx` ON `mails` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `mails_vendor_idx` ON `mails` (`vendor_id`,`created_at`,`id`);