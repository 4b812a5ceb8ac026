// npm run bench:web — the web app under load: the statements page (`/`, server-rendered for a
// signed-in viewer) and GET /api/regressions, each for BENCH_WEB_SECONDS (default 30) under
// BENCH_WEB_CONNECTIONS (default 20) concurrent clients, with autocannon. Prints p50/p95/p99
// latency, requests, non-2xx answers and errors; asserts nothing.
//
// Target (issue 8): p95 ≤ 300 ms and no errors, for each of the two.
//
// - The production build (`next build` first when the sources are newer, cli/next-build.ts) served
//   by cli/serve.ts in a child process on BENCH_WEB_PORT (default 3400), collector off, against the
//   scale repository (repositoryForWebBench(), on BENCH_WEB_REPOSITORY_PORT, default 55500).
// - Once per PLANWATCH_WEB_PROCESSES value in BENCH_WEB_PROCESSES (default "1,<cores>"): one event
//   loop, then one per core, each a server of its own.
// - The page is requested with the session cookie of a viewer signed in through /api/auth; the API
//   with a viewer's Bearer token. Both are checked once (200, real content) before the load.
// - Percentiles are computed from every response time (autocannon's 'response' events), since
//   autocannon's own histogram summary has no p95. A few sequential requests warm each route first
//   (the first render loads the route's code).
// - The load generator runs on the same 2-core machine as the server and the repository: the
//   numbers include that contention. The load average is printed with each run.
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { z } from "zod";
import { buildIfStale } from "../cli/next-build";
import { portIsFree } from "../lib/db/postgres-server";
import { DEFAULT_SCALE, SCALE_TARGET, scaleRepository } from "./scale/generate-repository";
import { BenchResults, percentile, verdict } from "./support/results";
import { loadAverage, median } from "./support/stats";
import { benchCredentials, startProductionServer, type BenchCredentials } from "./support/web-server";

const SECONDS = Number(process.env.BENCH_WEB_SECONDS ?? 30);
const CONNECTIONS = Number(process.env.BENCH_WEB_CONNECTIONS ?? 20);
const PORT = Number(process.env.BENCH_WEB_PORT ?? 3400);
const REPOSITORY_PORT = Number(process.env.BENCH_WEB_REPOSITORY_PORT ?? 55500);
const P95_TARGET_MS = 300;
/** PLANWATCH_WEB_PROCESSES values to measure, each with its own server: one event loop, and one per core. */
const PROCESS_COUNTS = (process.env.BENCH_WEB_PROCESSES ?? `1,${os.availableParallelism()}`)
  .split(",")
  .map((v) => Number(v.trim()))
  .filter((n, i, all) => Number.isInteger(n) && n >= 1 && all.indexOf(n) === i);
const WARMUP_REQUESTS = 5;
// Long enough to measure a slow answer rather than count it as an error; a request still running
// then is a timeout (an error).
const TIMEOUT_S = Number(process.env.BENCH_WEB_TIMEOUT_S ?? 60);
const workDir = path.resolve(import.meta.dirname, "..", ".planwatch-bench");

interface WebRepository {
  url: string;
  targetName: string;
  /** Start of the dataset's last hour: the recent window is anchored there (`since`), whenever the dataset was made. */
  since: Date;
  /** What the repository holds, for the table's title. */
  description: string;
  dispose(): Promise<void>;
}

/**
 * The scale dataset of bench/scale/generate-repository.ts (5,000 statements × 30 days of 5-minute
 * intervals, generated once and kept in .planwatch-bench/), on a port of this bench's own. The app
 * ranks against the real clock while the dataset ends when it was generated, so the requests anchor
 * the recent window at the dataset's last hour (`since`, as the demo's links do): the same rows as
 * "the last hour vs the 24 h before" on the day it was generated.
 */
async function repositoryForWebBench(): Promise<WebRepository> {
  const running = process.env.BENCH_WEB_REPOSITORY_URL;
  if (running) return runningRepository(running);
  const repo = await scaleRepository(DEFAULT_SCALE, { port: REPOSITORY_PORT, log: (line) => console.error(`  ${line}`) });
  const ageMinutes = (Date.now() - repo.endAt.getTime()) / 60_000;
  const p = repo.params;
  const age = `; data ends ${ageMinutes > 60 ? `${(ageMinutes / 60).toFixed(1)} h` : `${ageMinutes.toFixed(0)} min`} ago, recent window anchored at its last hour`;
  return {
    url: repo.url,
    targetName: repo.targetName,
    since: new Date(repo.endAt.getTime() - 3_600_000),
    description: `scale dataset: ${p.statements} statements × ${p.days} d of ${p.stepMinutes}-min intervals, ${repo.intervalRows.toLocaleString("en")} rows${age}`,
    dispose: () => repo.stop(),
  };
}

/**
 * BENCH_WEB_REPOSITORY_URL: a repository already serving the scale dataset (another process holds
 * .planwatch-bench/ on a shared machine, and a second PostgreSQL cannot open it). Its end comes from
 * the dataset's marker file; the bench adds a viewer and a token to it, as it does to its own.
 */
async function runningRepository(url: string): Promise<WebRepository> {
  const p = DEFAULT_SCALE;
  const marker = path.join(workDir, `scale-${p.statements}x${p.days}d-${p.stepMinutes}m`, "dataset.json");
  const saved = z.object({ endAt: z.iso.datetime(), intervalRows: z.number() }).parse(JSON.parse(readFileSync(marker, "utf8")));
  const endAt = new Date(saved.endAt);
  return {
    url,
    targetName: SCALE_TARGET,
    since: new Date(endAt.getTime() - 3_600_000),
    description: `scale dataset (running repository): ${p.statements} statements × ${p.days} d of ${p.stepMinutes}-min intervals, ${saved.intervalRows.toLocaleString("en")} rows; recent window anchored at its last hour`,
    dispose: async () => undefined,
  };
}

interface Endpoint {
  name: string;
  path: string;
  headers: Record<string, string>;
  /** What a real answer contains (not the sign-in page, not an empty list). */
  check(body: string): boolean;
}

function endpoints(targetName: string, since: Date, credentials: BenchCredentials): Endpoint[] {
  const target = encodeURIComponent(targetName);
  const anchor = `since=${encodeURIComponent(since.toISOString())}`;
  return [
    {
      name: "statements page /",
      path: `/?target=${target}&${anchor}`,
      headers: { cookie: credentials.cookie },
      // The list itself (a row's link), not the sign-in page nor an error rendered inside the page.
      check: (body) => body.includes("<h1>Statements</h1>") && body.includes('href="/statements/') && !body.includes('action="/sign-in'),
    },
    {
      name: "GET /api/regressions",
      path: `/api/regressions?target=${target}&baseline=24h&${anchor}`,
      headers: { authorization: credentials.authorization },
      // The default page (100 rows) of the ranking, not an empty one.
      check: (body) => body.startsWith('{"target"') && body.includes('"rows":[{'),
    },
  ];
}

interface LoadRun {
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Median of the warm-up requests, one at a time: the answer's own cost, without queueing. */
  aloneMs: number;
  requestsPerSecond: number;
  loadBefore: string;
  loadAfter: string;
}

async function load(baseUrl: string, endpoint: Endpoint): Promise<LoadRun> {
  const aloneMs: number[] = [];
  for (let i = 0; i < WARMUP_REQUESTS; i++) {
    const started = performance.now();
    await fetch(baseUrl + endpoint.path, { headers: endpoint.headers }).then((r) => r.text());
    aloneMs.push(performance.now() - started);
  }
  const loadBefore = loadAverage();
  const latenciesMs: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({ url: baseUrl + endpoint.path, connections: CONNECTIONS, duration: SECONDS, headers: endpoint.headers, timeout: TIMEOUT_S }, (err, res) =>
      err ? reject(err) : resolve(res),
    );
    instance.on("response", (_client: unknown, _status: number, _bytes: number, responseTimeMs: number) => latenciesMs.push(responseTimeMs));
  });
  return {
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    p50Ms: percentile(latenciesMs, 50),
    p95Ms: percentile(latenciesMs, 95),
    p99Ms: percentile(latenciesMs, 99),
    maxMs: percentile(latenciesMs, 100),
    aloneMs: median(aloneMs.slice(1)),
    requestsPerSecond: result.requests.average,
    loadBefore,
    loadAfter: loadAverage(),
  };
}

async function main() {
  const results = new BenchResults("bench:web");
  if (!(await portIsFree(PORT))) throw new Error(`port ${PORT} is in use: set BENCH_WEB_PORT`);
  mkdirSync(workDir, { recursive: true });
  buildIfStale((line) => console.error(line));
  console.error(`bench:web — preparing the repository…`);
  const repository = await repositoryForWebBench();
  results.fact("repository", repository.description);
  const table: string[] = [];
  try {
    for (const processes of PROCESS_COUNTS) {
      const label = (name: string) => `${name} (${processes} web ${processes === 1 ? "process" : "processes"})`;
      const cpuProfileDir = process.env.BENCH_WEB_CPU_PROFILE_DIR;
      const server = await startProductionServer({
        port: PORT,
        repositoryUrl: repository.url,
        webProcesses: processes,
        logFile: path.join(workDir, `web-server-${randomBytes(3).toString("hex")}.log`),
        ...(cpuProfileDir ? { cpuProfileDir: path.resolve(cpuProfileDir) } : {}),
      });
      try {
        const credentials = await benchCredentials(server.url, repository.url);
        for (const endpoint of endpoints(repository.targetName, repository.since, credentials)) {
          const name = label(endpoint.name);
          const probe = await fetch(server.url + endpoint.path, { headers: endpoint.headers, redirect: "manual" });
          const body = await probe.text();
          if (probe.status !== 200 || !endpoint.check(body)) throw new Error(`${name} answered ${probe.status} without the expected content: ${body.slice(0, 300)}`);
          console.error(`  ${name}: ${CONNECTIONS} clients for ${SECONDS} s, load ${loadAverage()}…`);
          const run = await load(server.url, endpoint);
          const note = `${CONNECTIONS} clients, ${SECONDS} s; load ${run.loadBefore} → ${run.loadAfter}`;
          results.add(`${name} alone (1 client)`, run.aloneMs, "ms", { note: `median of ${WARMUP_REQUESTS - 1} sequential requests before the load` });
          // No answer within the timeout: the latency is at least the timeout (a bound, not a measurement).
          const latency = (ms: number) => (Number.isNaN(ms) ? TIMEOUT_S * 1000 : ms);
          const bound = run.requests === 0 ? `; no request finished within the ${TIMEOUT_S} s timeout: the value is a lower bound` : "";
          results.add(`${name} p50`, latency(run.p50Ms), "ms", { note: note + bound });
          const p95 = results.add(`${name} p95`, latency(run.p95Ms), "ms", { target: P95_TARGET_MS, note: note + bound });
          results.add(`${name} p99`, latency(run.p99Ms), "ms", { note: note + bound });
          results.add(`${name} requests`, run.requests, "requests", { note: `${run.requestsPerSecond.toFixed(1)} per second` });
          const failed = results.add(`${name} non-2xx + errors`, run.non2xx + run.errors, "responses", { target: 0, note: `${run.non2xx} non-2xx, ${run.errors} errors (${run.timeouts} timeouts)` });
          table.push(
            [
              endpoint.name.padEnd(22),
              String(processes).padStart(5),
              ...[run.aloneMs, run.p50Ms, run.p95Ms, run.p99Ms, run.maxMs].map((v) => (Number.isNaN(v) ? "—" : v.toFixed(0)).padStart(7)),
              String(run.requests).padStart(8),
              run.requestsPerSecond.toFixed(1).padStart(7),
              String(run.non2xx).padStart(7),
              String(run.errors).padStart(6),
              `  ${verdict(p95)} / ${verdict(failed)}`.padEnd(19),
              `${run.loadBefore} → ${run.loadAfter}`,
            ].join(" "),
          );
        }
      } finally {
        await server.stop();
      }
    }
  } finally {
    await repository.dispose();
  }
  console.log(`\nbench:web (${repository.description}; ${CONNECTIONS} concurrent clients, ${SECONDS} s each, ${TIMEOUT_S} s timeout; target p95 ≤ ${P95_TARGET_MS} ms, no errors)`);
  console.log(`(alone: median ms of one request at a time before the load; a timeout counts as an error; "—": no request finished)`);
  console.log(`${"route".padEnd(22)} ${"procs".padStart(5)} ${["alone", "p50 ms", "p95 ms", "p99 ms", "max ms"].map((h) => h.padStart(7)).join(" ")} ${"requests".padStart(8)} ${"req/s".padStart(7)} ${"non-2xx".padStart(7)} ${"errors".padStart(6)}   ${"p95 / errors".padEnd(17)} load average before → after`);
  for (const line of table) console.log(line);
  await results.write();
}

await main();
