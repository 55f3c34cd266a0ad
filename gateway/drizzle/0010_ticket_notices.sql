CREATE TABLE `ticket_notices` (
	`ticket_id` text PRIMARY KEY NOT NULL,
	`told` text NOT NULL,
	`at` integer NOT NULL
);
