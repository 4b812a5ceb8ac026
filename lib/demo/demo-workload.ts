// The demo's background workload: about a dozen statements, each in its own loop at about one call
// per second, through one small pg Pool per role, as named (prepared) statements — the way an
// application using node-pg runs them, so generic plans can happen. Sized for a 2-core machine:
// the whole workload costs a small share of one core even after the regressions make some
// statements slow.
import { setMaxListeners } from "node:events";
import pg from "pg";
import type { DemoRole } from "./demo-schema";

export interface DemoStatement {
  /** The prepared statement's name (node-pg prepares it once per connection). */
  name: string;
  role: DemoRole;
  text: string;
  /** The parameters of the i-th call. */
  values: (i: number) => unknown[];
}

export const DEMO_STATEMENTS = {
  ordersByCustomer: { name: "orders_by_customer", role: "pw_app", text: "select sum(amount) from orders where customer_id = $1", values: (i) => [1 + ((i * 37) % 50000)] },
  skewedJoin: {
    name: "skewed_join",
    role: "pw_generic",
    text: "select count(*) from skew s join detail d on d.skew_id = s.id where s.flag = $1",
    values: () => [1],
  },
  shipmentLookup: {
    name: "shipment_lookup",
    role: "pw_planner",
    text: "select o.id, o.amount from shipments s join orders o on o.id = s.order_id where s.tracking = $1",
    values: (i) => [`TRK${1 + ((i * 101) % 50000)}`],
  },
  eventsByKind: { name: "events_by_kind", role: "pw_app", text: "select count(*) from events where kind = $1", values: (i) => [`rare-${i % 20}`] },
  openTickets: { name: "open_tickets", role: "pw_app", text: "select count(*), sum(amount) from tickets where status = $1", values: () => ["open"] },
  bucketCounts: {
    name: "bucket_counts",
    role: "pw_memory",
    text: "select max(n) from (select label, count(*) as n from labels group by 1) b",
    values: () => [],
  },
  customerById: { name: "customer_by_id", role: "pw_app", text: "select id, name, region from customers where id = $1", values: (i) => [1 + ((i * 7919) % 50000)] },
  orderById: { name: "order_by_id", role: "pw_app", text: "select id, customer_id, amount from orders where id = $1", values: (i) => [1 + ((i * 104729) % 500000)] },
  // Stops at the tenth match along the primary key: cheap, and unmoved by touch_customer's updates
  // (a full scan of customers slows down as those leave dead rows behind: a regression no change made).
  customersInRegion: { name: "customers_in_region", role: "pw_app", text: "select id, name from customers where region = $1 order by id limit 10", values: (i) => [`region-${i % 20}`] },
  touchCustomer: { name: "touch_customer", role: "pw_app", text: "update customers set last_seen = now() where id = $1", values: (i) => [1 + ((i * 31) % 50000)] },
  orderRange: { name: "order_range", role: "pw_app", text: "select sum(amount) from orders where id between $1 and $2", values: (i) => [1 + ((i * 13) % 490000), 20 + ((i * 13) % 490000)] },
} satisfies Record<string, DemoStatement>;

export type DemoStatementKey = keyof typeof DEMO_STATEMENTS;

export interface DemoWorkloadOptions {
  /** Connection URL of the demo database for a role (the role's own password). */
  urlFor: (role: DemoRole) => string;
  /** Mean pause between two calls of one statement (default 1000 ms; each loop jitters ±30 %). */
  periodMs?: number;
  log?: (line: string) => void;
}

export interface DemoWorkload {
  /** Calls made so far, per statement. */
  readonly calls: ReadonlyMap<DemoStatementKey, number>;
  /** New sessions for every role, so per-role settings changed since (ALTER ROLE … SET) apply. */
  reconnect(): Promise<void>;
  stop(): Promise<void>;
}

export function startDemoWorkload(options: DemoWorkloadOptions): DemoWorkload {
  const periodMs = options.periodMs ?? 1000;
  const pools = new Map<DemoRole, pg.Pool>();
  const poolFor = (role: DemoRole): pg.Pool => {
    let pool = pools.get(role);
    if (!pool) {
      pool = newPool(options.urlFor(role));
      pools.set(role, pool);
    }
    return pool;
  };
  const calls = new Map<DemoStatementKey, number>();
  const errorsLogged = new Set<string>();
  const controller = new AbortController();
  // Every statement's loop waits on this one signal at the same time.
  setMaxListeners(64, controller.signal);

  async function loop(key: DemoStatementKey, statement: DemoStatement, offsetMs: number): Promise<void> {
    await sleep(offsetMs, controller.signal);
    let i = 0;
    while (!controller.signal.aborted) {
      const began = Date.now();
      try {
        await poolFor(statement.role).query({ name: statement.name, text: statement.text, values: statement.values(i) });
        calls.set(key, (calls.get(key) ?? 0) + 1);
      } catch (err) {
        // One line per statement and message: a dropped connection at shutdown must not flood.
        const message = `${statement.name}: ${err instanceof Error ? err.message : String(err)}`;
        if (!controller.signal.aborted && !errorsLogged.has(message)) {
          errorsLogged.add(message);
          options.log?.(`demo workload: ${message}`);
        }
      }
      i++;
      const jitter = 0.7 + ((i * 7919) % 61) / 100; // 0.7–1.3, deterministic
      await sleep(Math.max(0, periodMs * jitter - (Date.now() - began)), controller.signal);
    }
  }

  const entries = Object.entries(DEMO_STATEMENTS) as [DemoStatementKey, DemoStatement][];
  // Staggered starts spread the calls over the period instead of a burst every second.
  const loops = entries.map(([key, statement], n) => loop(key, statement, (periodMs * n) / entries.length));

  return {
    calls,
    async reconnect() {
      const old = [...pools.values()];
      pools.clear();
      // end() waits for the queries in flight; new calls already go to the new pools.
      await Promise.all(old.map((p) => p.end().catch(() => undefined)));
    },
    async stop() {
      controller.abort();
      await Promise.all(loops);
      await Promise.all([...pools.values()].map((p) => p.end().catch(() => undefined)));
      pools.clear();
    },
  };
}

function newPool(url: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 4, application_name: "planwatch-demo-workload" });
  // An idle client whose server went away emits 'error'; the next query reports it instead.
  pool.on("error", () => undefined);
  return pool;
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted || ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
