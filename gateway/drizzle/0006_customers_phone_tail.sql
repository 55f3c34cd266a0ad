ALTER TABLE `customers` ADD `phone_tail` text DEFAULT '' NOT NULL;--> statement-breakpoint
CREATE INDEX `customers_phone_tail` ON `customers` (`phone_tail`);--> statement-breakpoint
UPDATE `customers` SET `phone_tail` = substr(replace(replace(replace(replace(replace(replace(replace(`phone`, ' ', ''), '-', ''), '(', ''), ')', ''), '.', ''), '/', ''), '+', ''), -7);
