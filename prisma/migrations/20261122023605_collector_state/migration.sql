-- AlterTable
ALTER TABLE "target" ADD COLUMN     "collect_interval_seconds" INTEGER NOT NULL DEFAULT 60,
ADD COLUMN     "consecutive_failures" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "dealloc_count" BIGINT,
ADD COLUMN     "last_snapshot_at" TIMESTAMPTZ(3),
ADD COLUMN     "next_collect_at" TIMESTAMPTZ(3),
ADD COLUMN     "stats_reset_at" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "statement_interval" ADD COLUMN     "plans" BIGINT;

-- CreateTable
CREATE TABLE "statement_counter" (
    "statement_id" BIGINT NOT NULL,
    "captured_at" TIMESTAMPTZ(3) NOT NULL,
    "calls" BIGINT NOT NULL,
    "total_exec_ms" DOUBLE PRECISION NOT NULL,
    "sum_squares_exec_ms2" DOUBLE PRECISION NOT NULL,
    "total_plan_ms" DOUBLE PRECISION,
    "plans" BIGINT,
    "rows" BIGINT NOT NULL,
    "shared_hit_blocks" BIGINT NOT NULL,
    "shared_read_blocks" BIGINT NOT NULL,
    "temp_read_blocks" BIGINT NOT NULL,
    "temp_written_blocks" BIGINT NOT NULL,

    CONSTRAINT "statement_counter_pkey" PRIMARY KEY ("statement_id")
);

-- CreateTable
CREATE TABLE "log_cursor" (
    "id" BIGSERIAL NOT NULL,
    "target_id" BIGINT NOT NULL,
    "file_name" TEXT NOT NULL,
    "offset_bytes" BIGINT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "log_cursor_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "log_cursor_target_id_file_name_key" ON "log_cursor"("target_id", "file_name");

-- AddForeignKey
ALTER TABLE "statement_counter" ADD CONSTRAINT "statement_counter_statement_id_fkey" FOREIGN KEY ("statement_id") REFERENCES "statement"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "log_cursor" ADD CONSTRAINT "log_cursor_target_id_fkey" FOREIGN KEY ("target_id") REFERENCES "target"("id") ON DELETE CASCADE ON UPDATE CASCADE;
