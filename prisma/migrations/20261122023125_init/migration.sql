-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "target_health" AS ENUM ('healthy', 'unhealthy', 'unknown');

-- CreateEnum
CREATE TYPE "plan_status" AS ENUM ('Approved', 'Unapproved', 'Rejected', 'Preferred');

-- CreateEnum
CREATE TYPE "plan_source" AS ENUM ('auto_explain', 'generic_explain', 'on_demand', 'import');

-- CreateEnum
CREATE TYPE "plan_sample_source" AS ENUM ('auto_explain', 'generic_explain', 'on_demand');

-- CreateEnum
CREATE TYPE "write_back_result" AS ENUM ('ok', 'failed', 'advisory', 'pending');

-- CreateTable
CREATE TABLE "target" (
    "id" BIGSERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "host" TEXT NOT NULL,
    "port" INTEGER NOT NULL DEFAULT 5432,
    "database" TEXT NOT NULL,
    "username" TEXT NOT NULL,
    "password_ciphertext" BYTEA,
    "server_version" TEXT,
    "server_version_num" INTEGER,
    "capabilities" JSONB,
    "health" "target_health" NOT NULL DEFAULT 'unknown',
    "last_error" TEXT,
    "last_collected_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "target_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "statement" (
    "id" BIGSERIAL NOT NULL,
    "target_id" BIGINT NOT NULL,
    "query_id" BIGINT NOT NULL,
    "db_id" BIGINT NOT NULL,
    "user_id" BIGINT NOT NULL,
    "query_text" TEXT NOT NULL,
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "statement_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "statement_interval" (
    "id" BIGSERIAL NOT NULL,
    "target_id" BIGINT NOT NULL,
    "statement_id" BIGINT NOT NULL,
    "window_start" TIMESTAMPTZ(3) NOT NULL,
    "window_end" TIMESTAMPTZ(3) NOT NULL,
    "calls" BIGINT NOT NULL,
    "total_exec_ms" DOUBLE PRECISION NOT NULL,
    "mean_exec_ms" DOUBLE PRECISION NOT NULL,
    "exec_variance_ms2" DOUBLE PRECISION NOT NULL,
    "total_plan_ms" DOUBLE PRECISION,
    "rows" BIGINT NOT NULL,
    "shared_hit_blocks" BIGINT NOT NULL,
    "shared_read_blocks" BIGINT NOT NULL,
    "temp_read_blocks" BIGINT NOT NULL,
    "temp_written_blocks" BIGINT NOT NULL,

    CONSTRAINT "statement_interval_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "plan" (
    "id" BIGSERIAL NOT NULL,
    "statement_id" BIGINT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "status" "plan_status" NOT NULL DEFAULT 'Unapproved',
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "valid" BOOLEAN NOT NULL DEFAULT true,
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "plan" JSONB NOT NULL,
    "source" "plan_source" NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "plan_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "plan_sample" (
    "id" BIGSERIAL NOT NULL,
    "plan_id" BIGINT NOT NULL,
    "captured_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "estimated_total_cost" DOUBLE PRECISION NOT NULL,
    "actual_total_ms" DOUBLE PRECISION,
    "actual_rows" DOUBLE PRECISION,
    "shared_hit_blocks" BIGINT,
    "shared_read_blocks" BIGINT,
    "temp_read_blocks" BIGINT,
    "temp_written_blocks" BIGINT,
    "planning_ms" DOUBLE PRECISION,
    "source" "plan_sample_source" NOT NULL,

    CONSTRAINT "plan_sample_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "plan_status_change" (
    "id" BIGSERIAL NOT NULL,
    "plan_id" BIGINT NOT NULL,
    "actor" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "from_status" "plan_status",
    "to_status" "plan_status" NOT NULL,
    "from_enabled" BOOLEAN,
    "to_enabled" BOOLEAN NOT NULL,
    "reason" TEXT,
    "write_back_result" "write_back_result",
    "write_back_detail" TEXT,

    CONSTRAINT "plan_status_change_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "target_name_key" ON "target"("name");

-- CreateIndex
CREATE UNIQUE INDEX "statement_target_id_query_id_db_id_user_id_key" ON "statement"("target_id", "query_id", "db_id", "user_id");

-- CreateIndex
CREATE INDEX "statement_interval_target_id_window_end_idx" ON "statement_interval"("target_id", "window_end");

-- CreateIndex
CREATE INDEX "statement_interval_statement_id_window_end_idx" ON "statement_interval"("statement_id", "window_end");

-- CreateIndex
CREATE UNIQUE INDEX "statement_interval_statement_id_window_start_key" ON "statement_interval"("statement_id", "window_start");

-- CreateIndex
CREATE UNIQUE INDEX "plan_statement_id_fingerprint_key" ON "plan"("statement_id", "fingerprint");

-- CreateIndex
CREATE INDEX "plan_sample_plan_id_captured_at_idx" ON "plan_sample"("plan_id", "captured_at");

-- CreateIndex
CREATE INDEX "plan_status_change_plan_id_at_idx" ON "plan_status_change"("plan_id", "at");

-- CreateIndex
CREATE INDEX "plan_status_change_at_idx" ON "plan_status_change"("at");

-- AddForeignKey
ALTER TABLE "statement" ADD CONSTRAINT "statement_target_id_fkey" FOREIGN KEY ("target_id") REFERENCES "target"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "statement_interval" ADD CONSTRAINT "statement_interval_target_id_fkey" FOREIGN KEY ("target_id") REFERENCES "target"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "statement_interval" ADD CONSTRAINT "statement_interval_statement_id_fkey" FOREIGN KEY ("statement_id") REFERENCES "statement"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "plan" ADD CONSTRAINT "plan_statement_id_fkey" FOREIGN KEY ("statement_id") REFERENCES "statement"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "plan_sample" ADD CONSTRAINT "plan_sample_plan_id_fkey" FOREIGN KEY ("plan_id") REFERENCES "plan"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "plan_status_change" ADD CONSTRAINT "plan_status_change_plan_id_fkey" FOREIGN KEY ("plan_id") REFERENCES "plan"("id") ON DELETE CASCADE ON UPDATE CASCADE;
