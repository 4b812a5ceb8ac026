-- CreateEnum
CREATE TYPE "alert_kind" AS ENUM ('regression', 'rejected_plan_seen', 'disabled_plan_seen');

-- CreateTable
CREATE TABLE "alert_webhook" (
    "id" BIGSERIAL NOT NULL,
    "target_id" BIGINT,
    "url" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "alert_webhook_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "alert_event" (
    "id" BIGSERIAL NOT NULL,
    "target_id" BIGINT NOT NULL,
    "statement_id" BIGINT NOT NULL,
    "plan_id" BIGINT,
    "kind" "alert_kind" NOT NULL,
    "dedupe_key" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "alert_event_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "alert_delivery" (
    "id" BIGSERIAL NOT NULL,
    "event_id" BIGINT NOT NULL,
    "webhook_id" BIGINT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "delivered_at" TIMESTAMPTZ(3),
    "given_up_at" TIMESTAMPTZ(3),
    "last_error" TEXT,

    CONSTRAINT "alert_delivery_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "statement_verdict" (
    "statement_id" BIGINT NOT NULL,
    "verdict" TEXT NOT NULL,
    "regression_since" TIMESTAMPTZ(3),
    "evaluated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "statement_verdict_pkey" PRIMARY KEY ("statement_id")
);

-- CreateTable
CREATE TABLE "alert_state" (
    "target_id" BIGINT NOT NULL,
    "last_sample_id" BIGINT NOT NULL DEFAULT 0,
    "evaluated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "alert_state_pkey" PRIMARY KEY ("target_id")
);

-- CreateIndex
CREATE INDEX "alert_webhook_target_id_idx" ON "alert_webhook"("target_id");

-- CreateIndex
CREATE UNIQUE INDEX "alert_event_dedupe_key_key" ON "alert_event"("dedupe_key");

-- CreateIndex
CREATE INDEX "alert_event_target_id_created_at_idx" ON "alert_event"("target_id", "created_at");

-- CreateIndex
CREATE INDEX "alert_delivery_next_attempt_at_idx" ON "alert_delivery"("next_attempt_at");

-- CreateIndex
CREATE UNIQUE INDEX "alert_delivery_event_id_webhook_id_key" ON "alert_delivery"("event_id", "webhook_id");

-- AddForeignKey
ALTER TABLE "alert_webhook" ADD CONSTRAINT "alert_webhook_target_id_fkey" FOREIGN KEY ("target_id") REFERENCES "target"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alert_event" ADD CONSTRAINT "alert_event_target_id_fkey" FOREIGN KEY ("target_id") REFERENCES "target"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alert_event" ADD CONSTRAINT "alert_event_statement_id_fkey" FOREIGN KEY ("statement_id") REFERENCES "statement"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alert_event" ADD CONSTRAINT "alert_event_plan_id_fkey" FOREIGN KEY ("plan_id") REFERENCES "plan"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alert_delivery" ADD CONSTRAINT "alert_delivery_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "alert_event"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alert_delivery" ADD CONSTRAINT "alert_delivery_webhook_id_fkey" FOREIGN KEY ("webhook_id") REFERENCES "alert_webhook"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "statement_verdict" ADD CONSTRAINT "statement_verdict_statement_id_fkey" FOREIGN KEY ("statement_id") REFERENCES "statement"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alert_state" ADD CONSTRAINT "alert_state_target_id_fkey" FOREIGN KEY ("target_id") REFERENCES "target"("id") ON DELETE CASCADE ON UPDATE CASCADE;
