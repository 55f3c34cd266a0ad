CREATE TABLE `live_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`type` text NOT NULL,
	`data` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `ticket_notices` (
	`ticket_id` text PRIMARY KEY NOT NULL,
	`told` text NOT NULL,
	`at` integer NOT NULL
);
