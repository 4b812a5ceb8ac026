// The schema and queries behind lib/plan/__fixtures__ (see generate-plan-fixtures.ts).
// Each query names the plan shape it is meant to produce; `settings` force that shape where the
// planner would otherwise pick another one, so fixtures keep covering the node types we need.

export interface FixtureQuery {
  name: string;
  sql: string;
  /** SET before EXPLAIN (session-local, reset after the query). */
  settings?: Record<string, string>;
  /** INSERT/UPDATE/DELETE/MERGE: ANALYZE runs inside a transaction that is rolled back. */
  modifies?: boolean;
  /** Extra variants beyond plain + analyze + analyze2. */
  variants?: Array<"verbose" | "costs-off" | "timing-off" | "settings" | "wal" | "memory" | "serialize" | "generic">;
  /** Only on these majors (default: all). */
  majors?: number[];
  /** Large plans: only plain and analyze, no second run (plain only before PostgreSQL 18). */
  big?: boolean;
  /** One ANALYZE run only (256-partition plans: keeps the fixture folder small). */
  once?: boolean;
}

export const PARTITIONS = 256;

export const schemaSql = [
  `select setseed(0.42)`,
  `create table customers (id int primary key, name text not null, country text not null, created_at timestamptz not null)`,
  `insert into customers select g, 'customer ' || g, (array['de','fr','us','jp','br'])[1 + g % 5], timestamptz '2025-01-01' + g * interval '1 hour' from generate_series(1, 2000) g`,
  `create table products (id int primary key, name text not null, price numeric(10,2) not null, category text not null)`,
  `insert into products select g, 'product ' || g, (g % 97) + 0.99, 'cat' || (g % 20) from generate_series(1, 500) g`,
  `create table orders (id int primary key, customer_id int not null references customers, status text not null, amount numeric(10,2) not null, created_at timestamptz not null, note text)`,
  `insert into orders select g, 1 + (g * 7919) % 2000, (array['new','paid','shipped','cancelled'])[1 + (g % 4)], round((random() * 1000)::numeric, 2), timestamptz '2025-01-01' + (g % 50000) * interval '10 minutes', case when g % 10 = 0 then 'gift' end from generate_series(1, 100000) g`,
  `create index orders_customer_idx on orders (customer_id)`,
  `create index orders_created_idx on orders (created_at)`,
  `create index orders_status_idx on orders (status)`,
  `create index orders_amount_idx on orders (amount)`,
  `create table order_items (order_id int not null references orders, product_id int not null references products, qty int not null)`,
  `insert into order_items select 1 + (g % 100000), 1 + (g * 31) % 50, 1 + g % 5 from generate_series(1, 200000) g`,
  `create index order_items_order_idx on order_items (order_id)`,
  `create table orders_archive (like orders including all)`,
  `create function archive_audit() returns trigger language plpgsql as $$ begin new.note := coalesce(new.note, 'archived'); return new; end $$`,
  `create trigger orders_archive_audit before insert on orders_archive for each row execute function archive_audit()`,
  `create table events (id int not null, tenant int not null, kind text not null, payload text) partition by hash (tenant)`,
  ...Array.from({ length: PARTITIONS }, (_, i) => `create table events_${i} partition of events for values with (modulus ${PARTITIONS}, remainder ${i})`),
  `create index events_id_idx on events (id)`,
  `insert into events select g, g % 1000, (array['click','view','buy'])[1 + g % 3], repeat('x', 20) from generate_series(1, 25600) g`,
  `create table nokey (a int, b int)`,
  `insert into nokey select g, g % 10 from generate_series(1, 1000) g`,
  `vacuum analyze`,
];

const parallel = {
  parallel_setup_cost: "0",
  parallel_tuple_cost: "0",
  min_parallel_table_scan_size: "0",
  min_parallel_index_scan_size: "0",
  max_parallel_workers_per_gather: "2",
};

export const queries: FixtureQuery[] = [
  { name: "seq-scan", sql: `select * from orders where amount > 990`, variants: ["verbose", "costs-off", "timing-off"] },
  { name: "index-scan", sql: `select * from orders o where o.id = 42`, variants: ["verbose", "costs-off"] },
  { name: "index-scan-backward", sql: `select * from orders where id < 1000 order by id desc limit 5` },
  { name: "index-only-scan", sql: `select id from orders where id between 100 and 200`, variants: ["timing-off"] },
  {
    name: "bitmap-and",
    sql: `select * from orders where customer_id < 200 and amount < 100`,
    settings: { enable_indexscan: "off", enable_seqscan: "off" },
  },
  {
    name: "bitmap-or",
    sql: `select * from orders where customer_id = 5 or status = 'x' or amount = 1.5`,
    settings: { enable_seqscan: "off" },
  },
  { name: "tid-scan", sql: `select * from orders where ctid = '(0,1)'` },
  { name: "tid-range-scan", sql: `select count(*) from orders where ctid < '(10,0)'` },
  { name: "sample-scan", sql: `select count(*) from orders tablesample system (10) repeatable (1)` },
  { name: "function-scan", sql: `select * from generate_series(1, 100) g where g % 2 = 0`, variants: ["verbose"] },
  { name: "values-scan", sql: `select * from (values (1, 'a'), (2, 'b'), (3, 'c')) v(a, b) where a > 1` },
  {
    name: "cte-scan",
    sql: `with recent as materialized (select * from orders where id < 500) select count(*) from recent r join customers c on c.id = r.customer_id`,
    variants: ["verbose"],
  },
  {
    name: "subquery-scan",
    sql: `select * from (select customer_id, count(*) c from orders group by customer_id order by 2 desc limit 10) s where c > 1`,
  },
  { name: "nested-loop", sql: `select * from customers c join orders o on o.customer_id = c.id where c.id < 5`, variants: ["verbose"] },
  {
    name: "hash-join",
    sql: `select c.country, sum(o.amount) from orders o join customers c on c.id = o.customer_id where o.status = 'paid' group by c.country`,
    variants: ["verbose", "costs-off", "timing-off", "settings"],
    settings: { max_parallel_workers_per_gather: "0" },
  },
  {
    name: "hash-join-batches",
    sql: `select o.id, i.qty from orders o join order_items i on i.order_id = o.id where o.amount < 500`,
    settings: { work_mem: "256kB", max_parallel_workers_per_gather: "0" },
  },
  {
    name: "merge-join",
    sql: `select c.id, o.id from customers c join orders o on o.customer_id = c.id where c.id < 300`,
    settings: { enable_hashjoin: "off", enable_nestloop: "off" },
  },
  {
    name: "merge-full-join",
    sql: `select * from customers c full join orders o on o.customer_id = c.id and o.id < 100 where coalesce(c.id, 0) < 50`,
    settings: { enable_hashjoin: "off" },
  },
  {
    name: "semi-join",
    sql: `select * from customers c where exists (select 1 from orders o where o.customer_id = c.id and o.amount > 995)`,
  },
  {
    name: "anti-join",
    sql: `select * from customers c where not exists (select 1 from orders o where o.customer_id = c.id and o.status = 'cancelled')`,
  },
  { name: "left-join", sql: `select c.id, o.id from customers c left join orders o on o.customer_id = c.id and o.amount > 999 where c.country = 'jp'` },
  { name: "aggregate-plain", sql: `select count(*), avg(amount) from orders`, settings: { max_parallel_workers_per_gather: "0" } },
  {
    name: "aggregate-sorted",
    sql: `select customer_id, count(*) from orders where customer_id < 100 group by customer_id`,
    settings: { enable_hashagg: "off" },
  },
  { name: "aggregate-hashed", sql: `select status, count(*), sum(amount) from orders group by status`, settings: { max_parallel_workers_per_gather: "0" } },
  {
    name: "aggregate-hashed-spill",
    sql: `select customer_id, note, count(*) from orders group by customer_id, note`,
    settings: { work_mem: "64kB", max_parallel_workers_per_gather: "0" },
  },
  { name: "aggregate-mixed", sql: `select status, customer_id % 3, count(*) from orders group by rollup (status, customer_id % 3)` },
  { name: "group", sql: `select customer_id from orders where customer_id < 50 group by customer_id`, settings: { enable_hashagg: "off" } },
  { name: "sort", sql: `select * from orders where id < 5000 order by amount desc, id` },
  { name: "sort-disk", sql: `select * from orders order by note, amount`, settings: { work_mem: "64kB", max_parallel_workers_per_gather: "0" } },
  { name: "incremental-sort", sql: `select * from orders order by created_at, amount limit 100` },
  { name: "limit", sql: `select * from orders order by created_at limit 10` },
  { name: "unique", sql: `select distinct status from orders`, settings: { enable_hashagg: "off", max_parallel_workers_per_gather: "0" } },
  {
    name: "window",
    sql: `select id, customer_id, row_number() over (partition by customer_id order by created_at), sum(amount) over w from orders where customer_id < 20 window w as (order by id)`,
    variants: ["verbose"],
  },
  { name: "window-run-condition", sql: `select * from (select id, row_number() over (order by id) rn from orders) s where rn <= 10` },
  { name: "append-partitions", sql: `select kind, count(*) from events group by kind`, settings: { max_parallel_workers_per_gather: "0" }, once: true },
  { name: "partition-pruning", sql: `select * from events where tenant = 7` },
  { name: "merge-append", sql: `select * from events order by id limit 20`, once: true },
  {
    name: "gather",
    sql: `select count(*) from orders where amount > 10`,
    settings: parallel,
    variants: ["verbose"],
  },
  {
    name: "gather-merge",
    sql: `select * from orders where amount > 500 order by amount limit 1000`,
    settings: { ...parallel, enable_indexscan: "off" },
    variants: ["verbose"],
  },
  {
    name: "parallel-hash-join",
    sql: `select count(*) from orders o join order_items i on i.order_id = o.id`,
    settings: parallel,
  },
  { name: "gather-single-copy", sql: `select * from customers where id < 3`, settings: { debug_parallel_query: "on" } },
  {
    name: "memoize",
    sql: `select p.name, i.qty from order_items i join products p on p.id = i.product_id where i.order_id < 2000`,
    settings: { enable_hashjoin: "off", enable_mergejoin: "off" },
    variants: ["verbose"],
  },
  {
    name: "materialize",
    sql: `select * from nokey a join nokey b on a.a < b.b where a.a < 20`,
  },
  { name: "union", sql: `select customer_id from orders where id < 100 union select id from customers where id < 50` },
  { name: "union-all", sql: `select id from orders where id < 10 union all select id from customers where id < 5` },
  { name: "intersect", sql: `select customer_id from orders where id < 1000 intersect select id from customers` },
  { name: "except", sql: `select id from customers except all select customer_id from orders where id < 5000`, settings: { enable_hashagg: "off" } },
  {
    name: "recursive-union",
    sql: `with recursive t(n) as (select 1 union all select n + 1 from t where n < 100) select sum(n) from t`,
  },
  {
    name: "subplan",
    sql: `select c.id, (select max(amount) from orders o where o.customer_id = c.id) from customers c where c.id < 20`,
  },
  {
    name: "hashed-subplan",
    sql: `select * from customers where id not in (select customer_id from orders where amount > 998)`,
  },
  { name: "initplan", sql: `select * from orders where amount > (select avg(amount) + 490 from orders)`, variants: ["verbose", "costs-off"] },
  { name: "one-time-filter", sql: `select * from orders where id = 1 and now() < '2000-01-01'` },
  { name: "project-set", sql: `select id, generate_series(1, 3) from customers where id < 5` },
  { name: "result", sql: `select 1 + 1` },
  {
    name: "insert",
    sql: `insert into orders_archive select * from orders where id < 200`,
    modifies: true,
    variants: ["verbose", "wal"],
  },
  {
    name: "insert-fk",
    sql: `insert into order_items select id, 1, 1 from orders where id < 50`,
    modifies: true,
  },
  { name: "update", sql: `update orders set amount = amount + 1 where customer_id = 7`, modifies: true, variants: ["wal"] },
  { name: "delete", sql: `delete from order_items where order_id < 100`, modifies: true },
  {
    name: "merge",
    sql: `merge into orders_archive a using (select * from orders where id < 50) o on a.id = o.id when matched then update set amount = o.amount when not matched then insert values (o.id, o.customer_id, o.status, o.amount, o.created_at, o.note)`,
    modifies: true,
  },
  { name: "insert-on-conflict", sql: `insert into customers values (1, 'x', 'de', now()) on conflict (id) do nothing`, modifies: true },
  { name: "lock-rows", sql: `select * from orders where id < 10 for update`, modifies: true },
  {
    name: "disabled-seqscan",
    sql: `select * from nokey where b = 3`,
    settings: { enable_seqscan: "off" },
  },
  {
    name: "generic-plan",
    sql: `select * from orders where customer_id = $1 and amount > $2`,
    majors: [18],
    variants: ["generic"],
  },
  { name: "explain-options", sql: `select c.name from customers c where c.id < 100`, majors: [18], variants: ["memory", "serialize"] },
  {
    name: "jit",
    sql: `select sum(amount), count(*) from orders where amount > 1`,
    settings: { jit: "on", jit_above_cost: "0", jit_inline_above_cost: "0", jit_optimize_above_cost: "0", max_parallel_workers_per_gather: "0" },
  },
  {
    // A 2,000+-node plan: UNION ALL flattens eight 256-partition scans into one Append.
    name: "big-union",
    sql: Array.from({ length: 8 }, (_, i) => `select id, ${i} as part from events where kind = 'buy'`).join(" union all "),
    big: true,
    settings: { max_parallel_workers_per_gather: "0" },
  },
];

/** Queries captured again from the server log with auto_explain (text and JSON). */
export const autoExplainQueries = ["seq-scan", "hash-join", "initplan", "cte-scan", "gather", "insert", "subplan", "merge-append"];

/** Queries whose plain EXPLAIN text is also captured as pasted from psql and terminals. */
export const pastedQueries = ["hash-join", "initplan", "cte-scan", "gather", "memoize", "window", "insert"];
