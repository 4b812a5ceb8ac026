-- Hand-written (Prisma cannot express storage parameters). Every snapshot rewrites the
-- statement_counter row of each statement that ran; with half of each page kept free PostgreSQL
-- makes those HOT updates (the new row version on the same page, no new index entry), so the
-- table and its index do not grow with every snapshot. Applies to pages written from now on.
ALTER TABLE "statement_counter" SET (fillfactor = 50);
