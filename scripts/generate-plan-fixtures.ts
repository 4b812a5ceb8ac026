// Regenerates lib/plan/__fixtures__/{pg18,pg15,pasted,auto-explain} from real servers:
// EXPLAIN in JSON and text, with and without ANALYZE, psql's own output formats (run through the
// real /usr/bin/psql) and auto_explain entries read back from the server log. The fixtures are
// committed; tests never regenerate them. bad/ is written by hand and left alone here, and so are
// hand-edited variants in auto-explain/ (custom log prefix, CRLF): manifests are merged, not replaced.
// Usage: npm run fixtures:plans [-- --only=18]
import { spawnSync } from "node:child_process";
import { mkdir, readFile, readdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { availableBinaries, monitoredSettings, startCluster, type TestCluster } from "../test/support/clusters";
import { autoExplainQueries, pastedQueries, queries, schemaSql, type FixtureQuery } from "./plan-fixture-queries";

const fixturesDir = path.join(import.meta.dirname, "..", "lib", "plan", "__fixtures__");
const PSQL = "/usr/bin/psql";
const DB = "fixtures";
type Manifest = Record<string, { source: string; exact: boolean }>;

// Keep the raw JSON text exactly as the server printed it (pg would JSON.parse it).
const rawTypes = { getTypeParser: () => (value: string) => value };

async function explain(client: pg.Client, options: string, sql: string): Promise<string> {
  const text = options ? `explain (${options}) ${sql}` : `explain ${sql}`;
  const result = await client.query<Record<string, string>>({ text, types: rawTypes });
  return result.rows.map((r) => r["QUERY PLAN"] ?? "").join("\n") + "\n";
}

// debug_parallel_query is PostgreSQL 16's name for force_parallel_mode.
const settingName = (name: string, major: number) => (name === "debug_parallel_query" && major < 16 ? "force_parallel_mode" : name);

async function withSettings<T>(client: pg.Client, major: number, settings: Record<string, string> | undefined, fn: () => Promise<T>): Promise<T> {
  for (const [k, v] of Object.entries(settings ?? {})) await client.query(`set ${settingName(k, major)} = '${v}'`);
  try {
    return await fn();
  } finally {
    await client.query("reset all");
  }
}

/** ANALYZE of a modifying statement runs inside a transaction that is always rolled back. */
async function analyzed(client: pg.Client, q: FixtureQuery, options: string): Promise<string> {
  if (!q.modifies) return explain(client, options, q.sql);
  await client.query("begin");
  try {
    return await explain(client, options, q.sql);
  } finally {
    await client.query("rollback");
  }
}

function variantOptions(q: FixtureQuery, major: number): Array<[suffix: string, options: string, analyze: boolean]> {
  if (q.variants?.includes("generic")) return [["", "generic_plan", false]];
  const buffers = "analyze, buffers";
  const list: Array<[string, string, boolean]> = [
    ["", "", false],
    [".analyze", buffers, true],
  ];
  // Big plans: one ANALYZE run, and on older majors none, to keep the fixtures small.
  if (q.big && major < 18) return [["", "", false]];
  if (!q.big && !q.once) list.push([".analyze2", buffers, true]);
  for (const v of q.variants ?? []) {
    if (v === "verbose") list.push([".verbose", `${buffers}, verbose`, true]);
    if (v === "costs-off") list.push([".costs-off", "costs off", false]);
    if (v === "timing-off") list.push([".timing-off", "analyze, timing off, summary off", true]);
    if (v === "settings") list.push([".settings", `${buffers}, settings`, true]);
    if (v === "wal") list.push([".wal", `${buffers}, wal`, true]);
    if (v === "memory" && major >= 17) list.push([".memory", `${buffers}, memory`, true]);
    if (v === "serialize" && major >= 17) list.push([".serialize", `${buffers}, serialize`, true]);
  }
  return list;
}

async function writeFixture(folder: string, file: string, content: string): Promise<void> {
  await mkdir(path.join(fixturesDir, folder), { recursive: true });
  await writeFile(path.join(fixturesDir, folder, file), content);
}

async function explainAll(cluster: TestCluster, client: pg.Client, pastedManifest: Manifest): Promise<void> {
  const major = cluster.server.major;
  const folder = `pg${major}`;
  for (const q of queries) {
    if (q.majors && !q.majors.includes(major)) continue;
    const started = Date.now();
    await withSettings(client, major, q.settings, async () => {
      for (const [suffix, options, analyze] of variantOptions(q, major)) {
        const join = (fmt: string) => [options, fmt].filter(Boolean).join(", ");
        const run = (fmt: string) => (analyze ? analyzed(client, q, join(fmt)) : explain(client, join(fmt), q.sql));
        await writeFixture(folder, `${q.name}${suffix}.json`, await run("format json"));
        await writeFixture(folder, `${q.name}${suffix}.txt`, await run(""));
        // psql's copies of the plan must see the same statistics and table sizes as the plain
        // EXPLAIN, so they run before any rolled-back write (which grows tables) can follow.
        if (suffix === "" && pastedQueries.includes(q.name)) Object.assign(pastedManifest, await pasted(cluster, q));
      }
    });
    console.log(`pg${major} ${q.name}: ${Date.now() - started} ms`);
  }
}

function psql(cluster: TestCluster, q: FixtureQuery, explainSql: string, pset: string[]): string {
  const args = ["-X", "-q", "-h", "127.0.0.1", "-p", String(cluster.server.port), "-U", "postgres", "-d", DB];
  for (const p of pset) args.push("-P", p);
  for (const [k, v] of Object.entries(q.settings ?? {})) args.push("-c", `set ${settingName(k, cluster.server.major)} = '${v}'`);
  args.push("-c", explainSql);
  const env: NodeJS.ProcessEnv = { ...process.env, PGPASSWORD: cluster.server.options.password, COLUMNS: "80" };
  delete env.PGCLUSTER; // pg_wrapper must pick the client by itself, not a local cluster
  const out = spawnSync(PSQL, args, { encoding: "utf8", env });
  if (out.status !== 0) throw new Error(`psql failed: ${out.stderr}`);
  return out.stdout;
}

/** Terminal soft-wrapping: cuts every line at `width` characters, mid-word like a terminal does. */
function terminalWrap(text: string, width: number): string {
  return text
    .split("\n")
    .flatMap((line) => (line.length <= width ? [line] : (line.match(new RegExp(`.{1,${width}}`, "g")) ?? [line])))
    .join("\n");
}

async function pasted(cluster: TestCluster, q: FixtureQuery): Promise<Manifest> {
  const major = cluster.server.major;
  const manifest: Manifest = {};
  const name = q.name;
  {
    const base = `pg${major}-${name}`;
    const textSource = `pg${major}/${name}.txt`;
    const jsonSource = `pg${major}/${name}.json`;
    const source = await readFile(path.join(fixturesDir, textSource), "utf8");
    const files: Array<[string, string, string, boolean]> = [
      [`${base}.psql.txt`, psql(cluster, q, `explain ${q.sql}`, []), textSource, true],
      [`${base}.psql.json`, psql(cluster, q, `explain (format json) ${q.sql}`, []), jsonSource, true],
      [`${base}.framed.txt`, psql(cluster, q, `explain ${q.sql}`, ["border=2"]), textSource, true],
      [`${base}.unicode.txt`, psql(cluster, q, `explain ${q.sql}`, ["border=2", "linestyle=unicode"]), textSource, true],
      [`${base}.psql-wrapped.txt`, psql(cluster, q, `explain ${q.sql}`, ["format=wrapped", "columns=60"]), textSource, true],
      [`${base}.wrapped.txt`, terminalWrap(source, 60), textSource, true],
      [`${base}.crlf.txt`, source.replaceAll("\n", "\r\n"), textSource, true],
      [`${base}.quoted-lines.txt`, source.trimEnd().split("\n").map((l) => `"${l.replaceAll('"', '""')}"`).join("\n") + "\n", textSource, true],
    ];
    if (name === "hash-join" || name === "insert") {
      const analyzeSql = q.modifies ? null : `explain (analyze, buffers) ${q.sql}`;
      if (analyzeSql) files.push([`${base}.psql-analyze.txt`, psql(cluster, q, analyzeSql, ["border=2", "linestyle=unicode", "unicode_border_linestyle=double"]), `pg${major}/${name}.analyze.txt`, false]);
      const json = await readFile(path.join(fixturesDir, jsonSource), "utf8");
      files.push([`${base}.quoted.json`, `"${json.trimEnd().replaceAll('"', '""')}"\n`, jsonSource, true]);
      files.push([`${base}.psql-wrapped.json`, psql(cluster, q, `explain (format json) ${q.sql}`, ["format=wrapped", "columns=50"]), jsonSource, true]);
    }
    for (const [file, content, src, exact] of files) {
      await writeFixture("pasted", file, content);
      manifest[file] = { source: src, exact };
    }
  }
  return manifest;
}

/** Runs queries with auto_explain on, then cuts their entries out of the server log. */
async function autoExplain(cluster: TestCluster, url: string): Promise<Manifest> {
  const major = cluster.server.major;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const wanted: Array<{ marker: string; file: string; source: string }> = [];
  try {
    for (const name of autoExplainQueries) {
      const q = queries.find((x) => x.name === name);
      if (!q) throw new Error(`unknown auto_explain query ${name}`);
      for (const format of ["text", "json"] as const) {
        const marker = `fixture:${name}:${format}`;
        const settings = {
          ...q.settings,
          "auto_explain.log_min_duration": "0",
          "auto_explain.log_analyze": "on",
          "auto_explain.log_buffers": "on",
          "auto_explain.log_triggers": "on",
          "auto_explain.log_settings": "on",
          "auto_explain.log_verbose": name === "hash-join" ? "on" : "off",
          "auto_explain.log_format": format,
        };
        await withSettings(client, major, settings, async () => {
          // The marker on its own line makes "Query Text" span several lines, as real queries do.
          const sql = `/* ${marker} */\n${q.sql}`;
          if (q.modifies) await client.query("begin");
          await client.query(sql);
          if (q.modifies) await client.query("rollback");
        });
        const ext = format === "json" ? "json" : "txt";
        const variant = name === "hash-join" ? "verbose" : "analyze"; // log_verbose above
        wanted.push({ marker, file: `pg${major}-${name}.log.${ext}`, source: `pg${major}/${name}.${variant}.json` });
      }
    }
  } finally {
    await client.end();
  }
  await new Promise((r) => setTimeout(r, 1500)); // the logging collector writes asynchronously

  const manifest: Manifest = {};
  const logFiles = (await readdir(cluster.logDir)).sort();
  const stderrLog = (await Promise.all(logFiles.filter((f) => f.endsWith(".log")).map((f) => readFile(path.join(cluster.logDir, f), "utf8")))).join("");
  const jsonLog = (await Promise.all(logFiles.filter((f) => f.endsWith(".json")).map((f) => readFile(path.join(cluster.logDir, f), "utf8")))).join("");
  // A log entry starts with the default log_line_prefix '%m [%p] '; continuation lines start with a tab.
  const entries = stderrLog.split(/\n(?=\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)/);
  for (const w of wanted) {
    const entry = entries.find((e) => e.includes(w.marker) && e.includes("plan:"));
    if (!entry) throw new Error(`auto_explain entry ${w.marker} not found in ${cluster.logDir}`);
    await writeFixture("auto-explain", w.file, entry.trimEnd() + "\n");
    manifest[w.file] = { source: w.source, exact: false };
    const record = jsonLog.split("\n").find((l) => l.includes(w.marker) && l.includes("plan:"));
    if (record && (w.marker.endsWith(":json") || w.marker.includes(":hash-join:"))) {
      const file = w.file.replace(/\.log\.(txt|json)$/, `.jsonlog-$1.json`);
      await writeFixture("auto-explain", file, record + "\n");
      manifest[file] = { source: w.source, exact: false };
    }
  }
  return manifest;
}

async function generate(binariesFilter: number | null): Promise<void> {
  const pastedManifest: Manifest = {};
  const autoManifest: Manifest = {};
  for (const binaries of await availableBinaries()) {
    if (binariesFilter !== null && binaries.major !== binariesFilter) continue;
    const started = Date.now();
    const cluster = await startCluster(binaries, {
      ...monitoredSettings,
      log_destination: "stderr,jsonlog",
      // Autoanalyze after the rolled-back writes would change estimates between variants.
      autovacuum: "off",
      max_locks_per_transaction: 512,
    });
    try {
      await cluster.server.ensureDatabase(DB);
      const url = cluster.server.url(DB);
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        for (const sql of schemaSql) await client.query(sql);
        console.log(`pg${binaries.major}: schema ready in ${Date.now() - started} ms`);
        await rm(path.join(fixturesDir, `pg${binaries.major}`), { recursive: true, force: true });
        await explainAll(cluster, client, pastedManifest);
      } finally {
        await client.end();
      }
      Object.assign(autoManifest, await autoExplain(cluster, url));
    } finally {
      await cluster.dispose();
    }
  }
  const merge = async (folder: string, add: Manifest) => {
    const file = path.join(fixturesDir, folder, "manifest.json");
    const old = (await readFile(file, "utf8").then(JSON.parse, () => ({}))) as Manifest;
    const merged = Object.fromEntries(Object.entries({ ...old, ...add }).sort(([a], [b]) => a.localeCompare(b)));
    await writeFile(file, JSON.stringify(merged, null, 2) + "\n");
  };
  await merge("pasted", pastedManifest);
  await merge("auto-explain", autoManifest);
}

const only = process.argv.find((a) => a.startsWith("--only="));
await generate(only ? Number(only.slice("--only=".length)) : null);
