DROP INDEX `events_program_idx`;--> statement-breakpoint
DROP INDEX `events_object_idx`;--> statement-breakpoint
DROP INDEX `events_vendor_idx`;--> statement-breakpoint
CREATE INDEX `events_program_idx` ON `events` (`program_id`,`created_at`,`id`) WHERE action IS NOT NULL;--> statement-breakpoint
CREATE INDEX `events_object_idx` ON `events` (`object_id`,`created_at`,`id`) WHERE action IS NOT NULL;--> statement-breakpoint
CREATE INDEX `events_vendor_idx` ON `events` (`vendor_id`,`created_at`,`id`) WHERE action IS NOT NULL;