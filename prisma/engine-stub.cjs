#!/usr/bin/env node
// Stand-in for Prisma's native schema engine, which cannot be downloaded here.
// prisma.config.ts points PRISMA_SCHEMA_ENGINE_BINARY at this file so that the CLI's start-up
// check passes; `prisma generate` never runs it. Anything that does run it (migrate, db push,
// db pull) fails on purpose: use `npm run db:diff` and lib/db/migrate.ts instead.
process.stderr.write(
  "PlanWatch: the native Prisma schema engine is not available (offline install).\n" +
    "Write migrations with `npm run db:diff -- --name <name>`; they are applied by lib/db/migrate.ts.\n",
);
process.exit(1);
