CREATE TABLE `stripe_events` (
	`id` text NOT NULL,
	`program_id` text NOT NULL,
	`type` text NOT NULL,
	`outcome` text NOT NULL,
	`conversion_id` text,
	`payment_intent` text,
	`detail` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`program_id`, `id`),
	FOREIGN KEY (`program_id`) REFERENCES `programs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `stripe_events_recent_idx` ON `stripe_events` (`program_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `stripe_events_intent_idx` ON `stripe_events` (`program_id`,`payment_intent`);--> statement-breakpoint
CREATE TABLE `stripe_integrations` (
	`program_id` text PRIMARY KEY NOT NULL,
	`sealed_secret` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`program_id`) REFERENCES `programs`(`id`) ON UPDATE no action ON DELETE no action
);
