// The demo database: its tables, roughly a million rows generated in SQL at first start, and the
// "before" state every run starts from. The schedule (demo-changes.ts) changes this state while the
// workload runs, so each run first puts back what the previous run changed: the index it dropped,
// the one it created, the roles' settings, the bulk update it made behind the planner's back.
import type pg from "pg";

export const DEMO_DATABASE = "demo";

/**
 * Roles the workload connects as. Per-role settings are how the schedule changes one statement's
 * plan without touching the others: each statement a setting change is aimed at runs as its own
 * role, and pg_stat_statements keeps a role's statements apart.
 */
export const DEMO_ROLES = ["pw_app", "pw_generic", "pw_planner", "pw_memory"] as const;
export type DemoRole = (typeof DEMO_ROLES)[number];

const quoteLiteral = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** Tables and data; runs once, in one transaction, when the database has no `orders` table yet. */
const CREATE_SQL = `
  CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
  CREATE TABLE customers (id int PRIMARY KEY, region text NOT NULL, name text NOT NULL, last_seen timestamptz);
  INSERT INTO customers SELECT g, 'region-' || (g % 20), 'customer ' || g, NULL FROM generate_series(1, 50000) g;
  CREATE TABLE orders (id int PRIMARY KEY, customer_id int NOT NULL, amount numeric(10,2) NOT NULL, created_at timestamptz NOT NULL);
  INSERT INTO orders SELECT g, 1 + (g::bigint * 7919) % 50000, (g % 997) / 10.0, now() - (g % 100000) * interval '1 minute' FROM generate_series(1, 500000) g;
  CREATE TABLE shipments (id int PRIMARY KEY, order_id int NOT NULL, tracking text NOT NULL);
  INSERT INTO shipments SELECT g, 1 + (g::bigint * 104729) % 500000, 'TRK' || g FROM generate_series(1, 50000) g;
  CREATE UNIQUE INDEX shipments_tracking_idx ON shipments (tracking);
  -- 'rare-N' kinds are 1 row in 5000: an index on kind turns a full scan into a few hundred row reads.
  CREATE TABLE events (id int PRIMARY KEY, kind text NOT NULL);
  INSERT INTO events SELECT g, CASE WHEN g % 5000 = 0 THEN 'rare-' || (g / 5000 % 20) ELSE 'common' END FROM generate_series(1, 200000) g;
  -- autovacuum (and so autoanalyze) off for this table only: the bulk update stays unseen by the planner.
  CREATE TABLE tickets (id int PRIMARY KEY, status text NOT NULL, amount numeric(10,2) NOT NULL) WITH (autovacuum_enabled = false);
  INSERT INTO tickets SELECT g, 'closed', (g % 500) / 10.0 FROM generate_series(1, 200000) g;
  CREATE INDEX tickets_status_idx ON tickets (status);
  -- Three flags: 50 rows of 1, the rest 0 or 2. A custom plan for flag 1 joins 50 rows through the
  -- index; a generic plan expects a third of the table (1/ndistinct) and hashes all of detail.
  CREATE TABLE skew (id int PRIMARY KEY, flag int NOT NULL);
  INSERT INTO skew SELECT g, CASE WHEN g % 2000 = 0 THEN 1 WHEN (g * 7919) % 13 < 6 THEN 0 ELSE 2 END FROM generate_series(1, 100000) g;
  CREATE INDEX skew_flag_idx ON skew (flag);
  CREATE TABLE detail (id int PRIMARY KEY, skew_id int NOT NULL);
  INSERT INTO detail SELECT g, g FROM generate_series(1, 100000) g;
  CREATE INDEX detail_skew_idx ON detail (skew_id);
`;

/**
 * pw_memory's table: 30,000 rows in 10,007 groups of 256-character labels. Wide keys make the
 * work_mem cut felt: a spilled hash aggregate writes and reads back its input, which costs by the
 * byte, while hashing in memory costs by the row (measured on PostgreSQL 15: about 70 → 130 ms per
 * call, where 4-byte keys gave 45 → 74 ms, too close to the ranking's 1.5× threshold on a busy
 * machine). Created on its own (IF NOT EXISTS) so demo databases made before it get it too.
 */
const LABELS_SQL = `
  CREATE TABLE IF NOT EXISTS labels (id int PRIMARY KEY, label text NOT NULL);
  INSERT INTO labels SELECT g, repeat(md5(((g::bigint * 7919) % 10007)::text), 8) FROM generate_series(1, 30000) g
   WHERE NOT EXISTS (SELECT FROM labels);
  GRANT SELECT ON labels TO pw_memory;
`;

/** Roles (created or re-passworded every run: the password lives in the demo's config file). */
function rolesSql(password: string): string {
  return DEMO_ROLES.map(
    (role) => `
    DO $$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${role}') THEN CREATE ROLE ${role} LOGIN; END IF;
    END $$;
    ALTER ROLE ${role} LOGIN PASSWORD ${quoteLiteral(password)};
    GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO ${role};
    GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO ${role};`,
  ).join("\n");
}

/** Undoes every scheduled change, so each run measures its baseline on the same starting point. */
const BEFORE_STATE_SQL = `
  CREATE INDEX IF NOT EXISTS orders_customer_idx ON orders (customer_id);
  DROP INDEX IF EXISTS events_kind_idx;
  ALTER ROLE pw_generic RESET plan_cache_mode;
  ALTER ROLE pw_planner RESET enable_nestloop;
  -- pw_memory's aggregation hashes in memory until the schedule cuts work_mem; with sorts off it
  -- cannot switch to a sorted aggregate when memory gets short, so the cut spills the same plan.
  ALTER ROLE pw_memory SET work_mem = '64MB';
  ALTER ROLE pw_memory SET enable_sort = off;
  UPDATE tickets SET status = CASE WHEN id % 2000 = 0 THEN 'open' ELSE 'closed' END
   WHERE status IS DISTINCT FROM CASE WHEN id % 2000 = 0 THEN 'open' ELSE 'closed' END;
`;

export async function databaseIsPopulated(admin: pg.Client): Promise<boolean> {
  const { rows } = await admin.query<{ found: boolean }>("SELECT to_regclass('public.orders') IS NOT NULL AS found");
  return rows[0]?.found === true;
}

/** Creates and fills the tables at first start; afterwards only restores the "before" state. */
export async function prepareDemoDatabase(admin: pg.Client, rolePassword: string, log: (line: string) => void): Promise<void> {
  if (!(await databaseIsPopulated(admin))) {
    log("generating the demo database (about a million rows, once)…");
    await admin.query(`BEGIN; ${CREATE_SQL} COMMIT;`);
  }
  await admin.query(rolesSql(rolePassword));
  await admin.query(LABELS_SQL);
  await admin.query(BEFORE_STATE_SQL);
  // VACUUM cannot run in a transaction block: one statement each. Fresh statistics for every table
  // (the stale-statistics change relies on tickets' being right before the bulk update).
  await admin.query("VACUUM ANALYZE");
  await admin.query("SELECT pg_stat_statements_reset()");
}
