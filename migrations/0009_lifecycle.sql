CREATE TABLE `agreement_acceptances` (
	`agreement_id` text NOT NULL,
	`partner_id` text NOT NULL,
	`program_id` text NOT NULL,
	`version` integer NOT NULL,
	`accepted_at` integer NOT NULL,
	`client_hash` text NOT NULL,
	FOREIGN KEY (`agreement_id`) REFERENCES `agreements`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `acceptances_uq` ON `agreement_acceptances` (`agreement_id`,`partner_id`);--> statement-breakpoint
CREATE INDEX `acceptances_partner_idx` ON `agreement_acceptances` (`partner_id`);--> statement-breakpoint
CREATE TABLE `agreements` (
	`id` text PRIMARY KEY NOT NULL,
	`program_id` text NOT NULL,
	`version` integer NOT NULL,
	`title` text NOT NULL,
	`body` text NOT NULL,
	`published_at` integer NOT NULL,
	FOREIGN KEY (`program_id`) REFERENCES `programs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `agreements_version_uq` ON `agreements` (`program_id`,`version`);--> statement-breakpoint
CREATE TABLE `applications` (
	`id` text PRIMARY KEY NOT NULL,
	`program_id` text NOT NULL,
	`name` text NOT NULL,
	`email` text NOT NULL,
	`email_key` text NOT NULL,
	`website` text,
	`country` text,
	`answers` text NOT NULL,
	`source` text,
	`referred_by` text,
	`status` text NOT NULL,
	`reason` text,
	`partner_id` text,
	`created_at` integer NOT NULL,
	`decided_at` integer,
	FOREIGN KEY (`program_id`) REFERENCES `programs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `applications_program_idx` ON `applications` (`program_id`,`status`,`created_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `applications_email_uq` ON `applications` (`program_id`,`email_key`);--> statement-breakpoint
-- SQLite needs a default to add a NOT NULL column; existing programs get program-<num> (unique), new ones a handle from their name
ALTER TABLE `programs` ADD `handle` text DEFAULT '' NOT NULL;--> statement-breakpoint
UPDATE `programs` SET `handle` = 'program-' || `num`;--> statement-breakpoint
ALTER TABLE `programs` ADD `applications` text DEFAULT '{"enabled":true,"autoApprove":[],"questions":[]}' NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `programs_handle_uq` ON `programs` (`handle`);--> statement-breakpoint
ALTER TABLE `partners` ADD `source` text;--> statement-breakpoint
ALTER TABLE `partners` ADD `referred_by` text;