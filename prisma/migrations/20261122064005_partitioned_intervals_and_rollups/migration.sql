-- CreateEnum
CREATE TYPE "rollup_grain" AS ENUM ('hour', 'day');

-- AlterTable
ALTER TABLE "target" ADD COLUMN     "rolled_up_day_until" TIMESTAMPTZ(3),
ADD COLUMN     "rolled_up_hour_until" TIMESTAMPTZ(3);

-- Hand-written (Prisma cannot express partitioning): statement_interval becomes a table
-- PARTITIONED BY RANGE (window_end) with one DEFAULT partition; lib/db/partitions.ts creates the
-- daily partitions at run time and retention drops them. The old rows are copied over (they land in
-- the default partition and move into a day's partition when that day's partition is created).
-- No id column and no foreign keys any more (see schema.prisma).
ALTER TABLE "statement_interval" RENAME TO "statement_interval_before_partitioning";
ALTER TABLE "statement_interval_before_partitioning" RENAME CONSTRAINT "statement_interval_pkey" TO "statement_interval_before_partitioning_pkey";
ALTER INDEX "statement_interval_target_id_window_end_idx" RENAME TO "statement_interval_before_partitioning_target_idx";

CREATE TABLE "statement_interval" (
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
    "plans" BIGINT,

    CONSTRAINT "statement_interval_pkey" PRIMARY KEY ("statement_id","window_end")
) PARTITION BY RANGE ("window_end");

CREATE TABLE "statement_interval_default" PARTITION OF "statement_interval" DEFAULT;

-- CreateIndex
CREATE INDEX "statement_interval_target_id_window_end_idx" ON "statement_interval"("target_id", "window_end");

INSERT INTO "statement_interval" ("target_id", "statement_id", "window_start", "window_end", "calls", "total_exec_ms", "mean_exec_ms",
       "exec_variance_ms2", "total_plan_ms", "rows", "shared_hit_blocks", "shared_read_blocks", "temp_read_blocks", "temp_written_blocks", "plans")
SELECT "target_id", "statement_id", "window_start", "window_end", "calls", "total_exec_ms", "mean_exec_ms",
       "exec_variance_ms2", "total_plan_ms", "rows", "shared_hit_blocks", "shared_read_blocks", "temp_read_blocks", "temp_written_blocks", "plans"
  FROM "statement_interval_before_partitioning"
    ON CONFLICT DO NOTHING;

DROP TABLE "statement_interval_before_partitioning";

-- CreateTable
CREATE TABLE "statement_rollup" (
    "target_id" BIGINT NOT NULL,
    "statement_id" BIGINT NOT NULL,
    "grain" "rollup_grain" NOT NULL,
    "bucket_start" TIMESTAMPTZ(3) NOT NULL,
    "planning_tracked" BOOLEAN NOT NULL,
    "first_window_start" TIMESTAMPTZ(3) NOT NULL,
    "last_window_end" TIMESTAMPTZ(3) NOT NULL,
    "interval_count" INTEGER NOT NULL,
    "calls" BIGINT NOT NULL,
    "sum_exec_ms" DOUBLE PRECISION NOT NULL,
    "sum_squares_exec_ms2" DOUBLE PRECISION NOT NULL,
    "total_plan_ms" DOUBLE PRECISION,
    "plans" BIGINT,
    "rows" BIGINT NOT NULL,
    "shared_hit_blocks" BIGINT NOT NULL,
    "shared_read_blocks" BIGINT NOT NULL,
    "temp_read_blocks" BIGINT NOT NULL,
    "temp_written_blocks" BIGINT NOT NULL,

    CONSTRAINT "statement_rollup_pkey" PRIMARY KEY ("statement_id","grain","bucket_start","planning_tracked")
);

-- CreateIndex
CREATE INDEX "statement_rollup_target_id_grain_bucket_start_idx" ON "statement_rollup"("target_id", "grain", "bucket_start");
