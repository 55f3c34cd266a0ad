CREATE TABLE "partition_readers" (
	"partition" integer NOT NULL,
	"reader" text NOT NULL,
	"pos" bigint NOT NULL,
	"at" bigint NOT NULL,
	CONSTRAINT "partition_readers_partition_reader_pk" PRIMARY KEY("partition","reader")
);
--> statement-breakpoint
ALTER TABLE "partition_checkpoints" ADD COLUMN "wheel" bigint NOT NULL;