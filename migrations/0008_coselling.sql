CREATE TABLE `deals` (
	`id` text PRIMARY KEY NOT NULL,
	`program_id` text NOT NULL,
	`partner_id` text NOT NULL,
	`company` text NOT NULL,
	`domain` text,
	`account` text NOT NULL,
	`contact_name` text NOT NULL,
	`contact_email` text NOT NULL,
	`value` integer,
	`expected_close_at` integer,
	`notes` text,
	`status` text NOT NULL,
	`conflict_kind` text,
	`conflict_deal_id` text,
	`protected_until` integer,
	`reason` text,
	`won_amount` integer,
	`closed_at` integer,
	`lead_id` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`program_id`) REFERENCES `programs`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`partner_id`) REFERENCES `partners`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `deals_open_account_uq` ON `deals` (`program_id`,`account`) WHERE status IN ('submitted', 'approved');--> statement-breakpoint
CREATE INDEX `deals_account_idx` ON `deals` (`program_id`,`account`,`status`);--> statement-breakpoint
CREATE INDEX `deals_program_idx` ON `deals` (`program_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `deals_partner_idx` ON `deals` (`partner_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `deals_expiry_idx` ON `deals` (`status`,`protected_until`);--> statement-breakpoint
CREATE TABLE `lead_attempts` (
	`id` text PRIMARY KEY NOT NULL,
	`lead_id` text NOT NULL,
	`partner_id` text NOT NULL,
	`offered_at` integer NOT NULL,
	`respond_by` integer,
	`outcome` text NOT NULL,
	`reason` text,
	`answered_at` integer,
	`manual` integer DEFAULT false NOT NULL,
	FOREIGN KEY (`lead_id`) REFERENCES `leads`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`partner_id`) REFERENCES `partners`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `lead_attempts_lead_idx` ON `lead_attempts` (`lead_id`,`offered_at`);--> statement-breakpoint
CREATE INDEX `lead_attempts_partner_idx` ON `lead_attempts` (`partner_id`,`lead_id`);--> statement-breakpoint
CREATE TABLE `leads` (
	`id` text PRIMARY KEY NOT NULL,
	`program_id` text NOT NULL,
	`company` text NOT NULL,
	`contact_name` text,
	`contact_email` text NOT NULL,
	`country` text,
	`vertical` text,
	`value` integer,
	`min_tier_rank` integer,
	`status` text NOT NULL,
	`partner_id` text,
	`respond_by` integer,
	`deal_id` text,
	`attempt_id` text,
	`change_token` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`program_id`) REFERENCES `programs`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`partner_id`) REFERENCES `partners`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `leads_program_idx` ON `leads` (`program_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `leads_partner_idx` ON `leads` (`partner_id`,`status`);--> statement-breakpoint
CREATE INDEX `leads_partner_created_idx` ON `leads` (`partner_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `leads_respond_idx` ON `leads` (`status`,`respond_by`);--> statement-breakpoint
ALTER TABLE `programs` ADD `deal_protection_days` integer DEFAULT 90 NOT NULL;--> statement-breakpoint
ALTER TABLE `programs` ADD `lead_sla_hours` integer DEFAULT 48 NOT NULL;--> statement-breakpoint
ALTER TABLE `partners` ADD `lead_countries` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `partners` ADD `lead_verticals` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `partners` ADD `lead_capacity` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `partners` ADD `last_lead_offer_at` integer;--> statement-breakpoint
ALTER TABLE `partners` ADD `open_leads` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `partners_routing_idx` ON `partners` (`program_id`,`open_leads`,`last_lead_offer_at`,`id`);