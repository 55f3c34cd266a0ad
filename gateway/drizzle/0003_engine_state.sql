CREATE TABLE `engine_state` (
	`kind` text NOT NULL,
	`key` text NOT NULL,
	`value` text NOT NULL,
	PRIMARY KEY(`kind`, `key`)
);
