CREATE TABLE `announcement_reads` (
	`announcement_id` text NOT NULL,
	`partner_id` text NOT NULL,
	`read_at` integer NOT NULL,
	PRIMARY KEY(`announcement_id`, `partner_id`),
	FOREIGN KEY (`announcement_id`) REFERENCES `announcements`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `announcements` (
	`id` text PRIMARY KEY NOT NULL,
	`program_id` text NOT NULL,
	`title` text NOT NULL,
	`body` text NOT NULL,
	`tier_ids` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`program_id`) REFERENCES `programs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `announcements_program_idx` ON `announcements` (`program_id`,`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `satisfaction_responses` (
	`id` text PRIMARY KEY NOT NULL,
	`program_id` text NOT NULL,
	`partner_id` text NOT NULL,
	`quarter` text NOT NULL,
	`score` integer NOT NULL,
	`comment` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`program_id`) REFERENCES `programs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `satisfaction_quarter_uq` ON `satisfaction_responses` (`partner_id`,`quarter`);--> statement-breakpoint
CREATE INDEX `satisfaction_program_idx` ON `satisfaction_responses` (`program_id`,`created_at`);