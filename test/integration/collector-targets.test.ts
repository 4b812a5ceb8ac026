// Targets on real servers (PostgreSQL 18 and 15): capability detection, refusals with the setting to
// change, add/list/remove through the library, the CLI and the API, and the password never shown.
import { randomBytes } from "node:crypto";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiToken } from "@/lib/auth/api-tokens";
import { cliActor } from "@/lib/auth/authorize";
import { createPrisma, type PrismaClient } from "@/lib/db/client";
import { applyMigrations } from "@/lib/db/migrate";
import { embeddedBinaries, portIsFree } from "@/lib/db/postgres-server";
import { capabilityWarnings, detectCapabilities, probeCapabilities } from "@/lib/collector/capabilities";
import { addTarget, connectTarget, listTargets, removeTarget, targetConnectionString } from "@/lib/collector/targets";
import { GET, POST } from "@/app/api/targets/route";
import { DELETE } from "@/app/api/targets/[name]/route";
import { startCluster, type TestCluster } from "../support/clusters";
import { freshDatabase, testServers, withClient, type TestServer } from "../support/databases";
import { planwatch } from "../support/cli";

const servers = testServers();
const SECRET = "collector-targets test passphrase";
/** Distinctive, so a leak anywhere is found by a plain substring search. */
const PASSWORD = `Pw-Leak-Probe-${randomBytes(4).toString("hex")}`;
const captured: string[] = [];

let repoUrl: string;
let repo: PrismaClient;

beforeAll(async () => {
  repoUrl = await freshDatabase(servers[0]!, "repo");
  await applyMigrations(repoUrl);
  repo = createPrisma(repoUrl);
  // The route handlers use the process-wide client and key source.
  process.env.DATABASE_URL = repoUrl;
  process.env.PLANWATCH_SECRET = SECRET;
});

afterAll(async () => {
  await repo?.$disconnect();
});

/** A database with pg_stat_statements created, and a superuser role whose password is PASSWORD. */
async function monitoredDatabase(server: TestServer, { extension = true, superuser = true } = {}): Promise<{ url: string; database: string }> {
  const adminUrl = await freshDatabase(server, "tgt");
  const database = new URL(adminUrl).pathname.slice(1);
  const role = `pw_${randomBytes(4).toString("hex")}`;
  await withClient(adminUrl, async (c) => {
    // CREATE ROLE … PASSWORD would otherwise be recorded, password included, by pg_stat_statements.
    await c.query("set pg_stat_statements.track_utility = off");
    await c.query(`create role ${role} login ${superuser ? "superuser" : ""} password '${PASSWORD}'`);
    if (extension) await c.query("create extension pg_stat_statements");
  });
  const url = new URL(adminUrl);
  url.username = role;
  url.password = PASSWORD;
  return { url: url.toString(), database };
}

async function cli(args: string[], env: Record<string, string | undefined>) {
  const result = await planwatch(args, env);
  captured.push(result.stdout, result.stderr);
  return result;
}

async function closedPort(): Promise<number> {
  for (let port = 59_600; port < 60_000; port++) if (await portIsFree(port)) return port;
  throw new Error("no closed port found");
}

function sameOrigin(method: string, body?: unknown): Request {
  return new Request("http://localhost:3000/api/targets", {
    method,
    headers: { origin: "http://localhost:3000", host: "localhost:3000", "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

describe.each(servers.map((s) => [s.major, s] as const))("targets on PostgreSQL %i", (major, server) => {
  it("detects capabilities of a configured server", async () => {
    const { url } = await monitoredDatabase(server);
    const caps = await withClient(url, detectCapabilities);
    expect(Math.floor(caps.serverVersionNum / 10000)).toBe(major);
    expect(caps.serverVersion.startsWith(String(major))).toBe(true);
    expect(caps.pgStatStatements).toMatchObject({ trackPlanning: true, hasInfoView: true, max: 5000 });
    expect(caps.pgStatStatements.version).toMatch(/^1\.\d+$/);
    expect(caps.computeQueryId).toBe("on");
    expect(caps.autoExplain.loaded).toBe(true);
    expect(caps.autoExplain.logMinDurationMs).toBe(-1);
    expect(caps.serverLog).toEqual({ loggingCollector: true, destinations: ["stderr"], directory: "log", readableThroughSql: true, stderrHasQueryId: false });
    expect(caps.apgPlanMgmt).toEqual({ installed: false });
    expect(caps.pgHintPlan).toEqual({ installed: false, hintTableKey: null });
    expect(capabilityWarnings(caps).join("\n")).toMatch(/auto_explain.log_min_duration is -1/);
    expect(capabilityWarnings(caps).join("\n")).toMatch(/the server log carries no query ids.*log_destination = 'jsonlog'/);
  });

  it("sees that an unprivileged role cannot read the server log", async () => {
    const { url } = await monitoredDatabase(server, { superuser: false });
    const caps = await withClient(url, detectCapabilities);
    expect(caps.serverLog.readableThroughSql).toBe(false);
    expect(capabilityWarnings(caps).join("\n")).toMatch(/not readable through SQL.*pg_read_server_files/);
  });

  it("refuses a database where the extension is not created, saying which command to run", async () => {
    const { url, database } = await monitoredDatabase(server, { extension: false });
    const probe = await withClient(url, probeCapabilities);
    expect(probe.capabilities).toBeNull();
    expect(probe.problem).toBe(
      `pg_stat_statements is loaded but the extension is not created in database ${database}: run CREATE EXTENSION pg_stat_statements in database ${database}`,
    );
    await expect(addTarget(repo, { name: `noext${major}`, url, actor: cliActor() })).rejects.toThrow(/run CREATE EXTENSION pg_stat_statements/);
    expect(await repo.target.count({ where: { name: `noext${major}` } })).toBe(0);
  });

  it("adds, lists, connects to and removes a target, keeping the password encrypted", async () => {
    const { url, database } = await monitoredDatabase(server);
    const name = `pg${major}.main`;
    const { row, capabilities } = await addTarget(repo, { name, url, actor: cliActor() });
    expect(row).toMatchObject({ name, host: "127.0.0.1", port: server.port, database, health: "healthy", serverVersion: capabilities.serverVersion });
    expect(row.capabilities).toMatch(/^pg_stat_statements 1\.\d+ \(track_planning\), auto_explain/);
    await expect(addTarget(repo, { name, url, actor: cliActor() })).rejects.toThrow(`a target named "${name}" already exists`);

    const rows = await listTargets(repo);
    const listed = rows.find((r) => r.name === name);
    expect(listed).toEqual(row);
    expect(Object.keys(listed!)).not.toContain("passwordCiphertext");
    captured.push(JSON.stringify(rows));

    const stored = await repo.target.findUniqueOrThrow({ where: { name } });
    expect(stored.passwordCiphertext?.[0]).toBe(1);
    expect(Buffer.from(stored.passwordCiphertext!).toString("latin1")).not.toContain(PASSWORD);
    expect(await targetConnectionString(stored)).toBe(url);

    const client = await connectTarget(stored);
    try {
      const { rows: settings } = await client.query("select current_setting('application_name') as app, current_setting('statement_timeout') as timeout");
      expect(settings[0]).toEqual({ app: "planwatch", timeout: "30s" });
    } finally {
      await client.end();
    }

    // Everything collected from the target goes with it.
    await repo.statement.create({ data: { targetId: stored.id, queryId: 1n, dbId: 1n, userId: 1n, queryText: "select 1" } });
    await removeTarget(repo, name);
    expect(await repo.statement.count({ where: { targetId: stored.id } })).toBe(0);
    expect((await listTargets(repo)).map((r) => r.name)).not.toContain(name);
    await expect(removeTarget(repo, name)).rejects.toThrow(`there is no target named "${name}"`);
  });
});

describe("refusals", () => {
  it("validates the name and the URL without echoing the URL", async () => {
    const url = `postgresql://u:${PASSWORD}@127.0.0.1:5432/db`;
    for (const name of ["", "has space", "x".repeat(64), "semi;colon"]) {
      const err = await addTarget(repo, { name, url, actor: cliActor() }).catch((e: Error) => e);
      expect((err as Error).message).toMatch(/^name: must be 1 to 63 characters/);
    }
    await expect(addTarget(repo, { name: "ok", url: `mysql://u:${PASSWORD}@h/db`, actor: cliActor() })).rejects.toThrow(/^url: must be a postgresql:\/\/ URL$/);
    await expect(addTarget(repo, { name: "ok", url: `postgresql://u:${PASSWORD}@h:5432/`, actor: cliActor() })).rejects.toThrow(/must name a database/);
    await expect(addTarget(repo, { name: "ok", url: `postgresql://u:${PASSWORD}@h/db?sslmode=require`, actor: cliActor() })).rejects.toThrow(
      /connection options \(sslmode\) are not supported/,
    );
  });

  it("refuses an unreachable server naming host:port/database, never the password", async () => {
    const port = await closedPort();
    const err = (await addTarget(repo, { name: "down", url: `postgresql://u:${PASSWORD}@127.0.0.1:${port}/appdb`, actor: cliActor() }).catch((e: Error) => e)) as Error;
    expect(err.message).toMatch(new RegExp(`^cannot connect to 127\\.0\\.0\\.1:${port}/appdb: `));
    captured.push(err.message);
    expect(await repo.target.count({ where: { name: "down" } })).toBe(0);
  });

  it("refuses a wrong password without showing it", async () => {
    const { url } = await monitoredDatabase(servers[0]!);
    const wrong = new URL(url);
    wrong.password = `${PASSWORD}-wrong`;
    const err = (await addTarget(repo, { name: "wrongpw", url: wrong.toString(), actor: cliActor() }).catch((e: Error) => e)) as Error;
    expect(err.message).toMatch(/password authentication failed/);
    captured.push(err.message);
  });

  describe("a server without pg_stat_statements preloaded", () => {
    let cluster: TestCluster;
    beforeAll(async () => {
      cluster = await startCluster(await embeddedBinaries(), { logging_collector: "on", log_directory: "log", fsync: "off" });
    });
    afterAll(async () => cluster?.dispose());

    it("says to preload it (restart) and to create the extension", async () => {
      await cluster.server.ensureDatabase("plain");
      const err = (await addTarget(repo, { name: "plain", url: cluster.server.url("plain"), actor: cliActor() }).catch((e: Error) => e)) as Error;
      expect(err.message).toBe(
        "pg_stat_statements is not installed in database plain: add it to shared_preload_libraries (needs a restart) and run CREATE EXTENSION pg_stat_statements in database plain",
      );
    });

    it("says to preload it when only the extension was created", async () => {
      await cluster.server.ensureDatabase("created");
      await withClient(cluster.server.url("created"), (c) => c.query("create extension pg_stat_statements"));
      const probe = await withClient(cluster.server.url("created"), probeCapabilities);
      expect(probe.problem).toBe(
        "pg_stat_statements is created in database created but not loaded: add pg_stat_statements to shared_preload_libraries and restart the server",
      );
    });
  });
});

describe("the CLI", () => {
  it("adds, lists and removes a target, printing capabilities and warnings but never the password", async () => {
    const { url } = await monitoredDatabase(servers.at(-1)!);
    const env = { DATABASE_URL: repoUrl, PLANWATCH_SECRET: SECRET };
    const added = await cli(["target", "add", "--name", "cli-target", "--url", url], env);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toMatch(/^added target cli-target \(127\.0\.0\.1:\d+\/tgt_\w+ as pw_\w+\)\nserver version \d+\.\d+/);
    expect(added.stdout).toMatch(/capabilities {3}pg_stat_statements 1\.\d+ \(track_planning\)/);
    expect(added.stdout).toMatch(/warning: auto_explain.log_min_duration is -1/);

    const listed = await cli(["target", "list"], env);
    expect(listed.stdout).toMatch(/^NAME +SERVER +DATABASE +USER +HEALTH/);
    expect(listed.stdout).toMatch(/cli-target +127\.0\.0\.1:\d+ +tgt_\w+ +pw_\w+ +healthy/);
    const json = await cli(["target", "list", "--json"], env);
    const parsed = JSON.parse(json.stdout) as { targets: { name: string }[] };
    expect(parsed.targets.map((t) => t.name)).toContain("cli-target");

    const removed = await cli(["target", "remove", "cli-target"], env);
    expect(removed.code).toBe(0);
    expect(removed.stdout).toBe("removed target cli-target and everything collected from it\n");
    const again = await cli(["target", "remove", "cli-target"], env);
    expect(again.code).toBe(1);
    expect(again.stderr.trimEnd().split("\n").at(-1)).toBe('planwatch: there is no target named "cli-target"');
  });

  it("refuses to store a password without PLANWATCH_SECRET when the repository is external", async () => {
    const { url } = await monitoredDatabase(servers[0]!);
    const result = await cli(["target", "add", "--name", "nosecret", "--url", url], { DATABASE_URL: repoUrl, PLANWATCH_SECRET: "" });
    expect(result.code).toBe(1);
    expect(result.stderr.trimEnd().split("\n").at(-1)).toMatch(/^planwatch: PLANWATCH_SECRET is not set/);
    expect(await repo.target.count({ where: { name: "nosecret" } })).toBe(0);
  });
});

describe("the API", () => {
  it("refuses POST /api/targets without an identity (401) and stores nothing", async () => {
    const { url } = await monitoredDatabase(servers[0]!);
    const response = await POST(sameOrigin("POST", { name: "via-api", url }));
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: "sign in first" });
    expect(await repo.target.count({ where: { name: "via-api" } })).toBe(0);
  });

  it("refuses a cross-site POST before anything else (403)", async () => {
    const response = await POST(new Request("http://localhost:3000/api/targets", { method: "POST", body: "{}" }));
    expect(response.status).toBe(403);
  });

  it("lists targets without secrets and refuses DELETE without an identity", async () => {
    const { url } = await monitoredDatabase(servers[0]!);
    await addTarget(repo, { name: "api-listed", url, actor: cliActor() });
    const anonymous = await GET(new Request("http://localhost:3000/api/targets"));
    expect(anonymous.status).toBe(401);
    const { token } = await createApiToken(repo, { name: "target-reader", role: "viewer", actor: cliActor() });
    const response = await GET(new Request("http://localhost:3000/api/targets", { headers: { authorization: `Bearer ${token}` } }));
    expect(response.status).toBe(200);
    const text = await response.text();
    captured.push(text);
    const body = JSON.parse(text) as { targets: Record<string, unknown>[] };
    const row = body.targets.find((t) => t.name === "api-listed");
    expect(row).toMatchObject({ health: "healthy", username: expect.stringMatching(/^pw_/) });
    expect(Object.keys(row!).some((k) => /password|ciphertext/i.test(k))).toBe(false);

    const deleted = await DELETE(sameOrigin("DELETE"), { params: Promise.resolve({ name: "api-listed" }) });
    expect(deleted.status).toBe(401);
    expect(await repo.target.count({ where: { name: "api-listed" } })).toBe(1);
  });
});

describe("the password", () => {
  it("appears nowhere: not in outputs, errors, responses, capabilities or any repository table", async () => {
    const tables = await withClient(repoUrl, async (c) => {
      const { rows } = await c.query<{ table_name: string }>("select table_name from information_schema.tables where table_schema = 'public'");
      const dumps: string[] = [];
      for (const { table_name } of rows) {
        const dump = await c.query<{ text: string | null }>(`select string_agg(t::text, E'\\n') as text from "${table_name}" t`);
        dumps.push(dump.rows[0]?.text ?? "");
      }
      return dumps.join("\n");
    });
    expect(tables).toMatch(/pw_[0-9a-f]{8}/); // the dump does hold the targets
    expect(captured.length).toBeGreaterThan(5);
    for (const text of [...captured, tables]) expect(text).not.toContain(PASSWORD);
  });
});
