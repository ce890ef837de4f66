CREATE TABLE "api_tokens" (
	"id" text PRIMARY KEY NOT NULL,
	"principal" text NOT NULL,
	"tenant" text,
	"role" text,
	"provider" text,
	"label" text NOT NULL,
	"secret_sha256" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_tokens_secret_sha256_unique" UNIQUE("secret_sha256")
);
--> statement-breakpoint
CREATE TABLE "bindings" (
	"id" text PRIMARY KEY NOT NULL,
	"vhm" text NOT NULL,
	"contract" text NOT NULL,
	"domain" text NOT NULL,
	"state" text NOT NULL,
	"seq" bigint NOT NULL,
	"data" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "capabilities" (
	"id" text PRIMARY KEY NOT NULL,
	"vhm" text NOT NULL,
	"parent" text,
	"revoked" boolean NOT NULL,
	"seq" bigint NOT NULL,
	"data" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "checkpoints" (
	"seq" bigint PRIMARY KEY NOT NULL,
	"l" bigint NOT NULL,
	"head" text NOT NULL,
	"state_hash" text NOT NULL,
	"state" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "contracts" (
	"id" text PRIMARY KEY NOT NULL,
	"vhm" text NOT NULL,
	"tenant" text NOT NULL,
	"domain" text NOT NULL,
	"provider" text NOT NULL,
	"status" text NOT NULL,
	"seq" bigint NOT NULL,
	"data" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"key" text NOT NULL,
	"principal" text NOT NULL,
	"request_hash" text NOT NULL,
	"status" integer NOT NULL,
	"body" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone DEFAULT now() + interval '24 hours' NOT NULL,
	CONSTRAINT "idempotency_keys_principal_key_pk" PRIMARY KEY("principal","key")
);
--> statement-breakpoint
CREATE TABLE "metrics" (
	"provider" text NOT NULL,
	"subject" text NOT NULL,
	"metric" text NOT NULL,
	"l" bigint NOT NULL,
	"value" bigint NOT NULL,
	"seq" bigint NOT NULL,
	CONSTRAINT "metrics_provider_subject_metric_l_pk" PRIMARY KEY("provider","subject","metric","l")
);
--> statement-breakpoint
CREATE TABLE "phi_envelopes" (
	"id" text PRIMARY KEY NOT NULL,
	"vhm" text NOT NULL,
	"contract" text NOT NULL,
	"provider" text NOT NULL,
	"live" boolean NOT NULL,
	"seq" bigint NOT NULL,
	"data" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "processes" (
	"id" text PRIMARY KEY NOT NULL,
	"vhm" text NOT NULL,
	"name" text NOT NULL,
	"state" text NOT NULL,
	"seq" bigint NOT NULL,
	"data" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "providers" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"domain" text NOT NULL,
	"attestation" text NOT NULL,
	"health" text NOT NULL,
	"seq" bigint NOT NULL,
	"data" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "q_containers" (
	"id" text PRIMARY KEY NOT NULL,
	"vhm" text NOT NULL,
	"contract" text NOT NULL,
	"provider" text NOT NULL,
	"qubits" integer NOT NULL,
	"live" boolean NOT NULL,
	"seq" bigint NOT NULL,
	"data" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tenants" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"status" text NOT NULL,
	"seq" bigint NOT NULL,
	"data" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "trace" (
	"seq" bigint PRIMARY KEY NOT NULL,
	"l" bigint NOT NULL,
	"type" text NOT NULL,
	"tenant" text,
	"vhm" text,
	"domain" text,
	"capability" text,
	"contract" text,
	"text" text NOT NULL,
	"prev" text NOT NULL,
	"hash" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "vhms" (
	"id" text PRIMARY KEY NOT NULL,
	"tenant" text NOT NULL,
	"name" text NOT NULL,
	"parent" text,
	"state" text NOT NULL,
	"depth" integer NOT NULL,
	"seq" bigint NOT NULL,
	"data" jsonb NOT NULL
);
--> statement-breakpoint
CREATE INDEX "api_tokens_tenant" ON "api_tokens" USING btree ("tenant");--> statement-breakpoint
CREATE INDEX "checkpoints_l" ON "checkpoints" USING btree ("l");--> statement-breakpoint
CREATE INDEX "contracts_tenant" ON "contracts" USING btree ("tenant");--> statement-breakpoint
CREATE INDEX "contracts_provider" ON "contracts" USING btree ("provider");--> statement-breakpoint
CREATE INDEX "idempotency_expires" ON "idempotency_keys" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "metrics_metric_l" ON "metrics" USING btree ("provider","metric","l");--> statement-breakpoint
CREATE INDEX "trace_tenant_seq" ON "trace" USING btree ("tenant","seq");--> statement-breakpoint
CREATE INDEX "trace_vhm_seq" ON "trace" USING btree ("vhm","seq");--> statement-breakpoint
CREATE INDEX "trace_type_seq" ON "trace" USING btree ("type","seq");--> statement-breakpoint
CREATE INDEX "trace_l" ON "trace" USING btree ("l");--> statement-breakpoint
CREATE INDEX "vhms_tenant" ON "vhms" USING btree ("tenant");