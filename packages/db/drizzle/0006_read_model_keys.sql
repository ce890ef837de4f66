ALTER TABLE "bindings" DROP COLUMN "data";--> statement-breakpoint
ALTER TABLE "capabilities" DROP COLUMN "data";--> statement-breakpoint
ALTER TABLE "contracts" DROP COLUMN "data";--> statement-breakpoint
ALTER TABLE "phi_envelopes" DROP COLUMN "data";--> statement-breakpoint
ALTER TABLE "processes" DROP COLUMN "data";--> statement-breakpoint
ALTER TABLE "providers" DROP COLUMN "data";--> statement-breakpoint
ALTER TABLE "q_containers" DROP COLUMN "data";--> statement-breakpoint
ALTER TABLE "tenants" DROP COLUMN "data";--> statement-breakpoint
ALTER TABLE "vhms" DROP COLUMN "data";