CREATE TABLE `events` (
	`id` text PRIMARY KEY NOT NULL,
	`vendor_id` text NOT NULL,
	`program_id` text,
	`type` text,
	`action` text,
	`actor_kind` text NOT NULL,
	`actor_key_id` text,
	`actor_partner_id` text,
	`object_type` text NOT NULL,
	`object_id` text NOT NULL,
	`changes` text,
	`data` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `events_program_idx` ON `events` (`program_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `events_object_idx` ON `events` (`object_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `events_vendor_idx` ON `events` (`vendor_id`,`created_at`,`id`);--> statement-breakpoint
ALTER TABLE `sessions` ADD `key_id` text;