import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readEnv } from "@/lib/env";
import { openRepository } from "@/lib/db/repository";
import { portIsFree } from "@/lib/db/postgres-server";
import { freshDatabase, testServers, withClient } from "../support/databases";
import { planwatch, runTsx } from "../support/cli";

const server = testServers()[0]!;

function withPassword(url: string, password: string) {
  const u = new URL(url);
  u.password = password;
  return u.toString();
}

async function closedPort(): Promise<number> {
  for (let port = 59_000; port < 59_500; port++) if (await portIsFree(port)) return port;
  throw new Error("no closed port found");
}

const tsx = runTsx;
const cli = planwatch;

describe("an external repository (DATABASE_URL)", () => {
  it("is migrated on open, and opening again applies nothing", async () => {
    const url = await freshDatabase(server);
    const logs: string[] = [];
    const repo = await openRepository(readEnv({ DATABASE_URL: url }), { log: (l) => logs.push(l) });
    expect(repo.embedded).toBeNull();
    expect(logs.some((l) => /applied \d+ migration/.test(l))).toBe(true);
    const tables = await withClient(url, (c) => c.query("select to_regclass('public.plan_status_change') as t"));
    expect(tables.rows[0]?.t).toBe("plan_status_change");
    const again: string[] = [];
    await openRepository(readEnv({ DATABASE_URL: url }), { log: (l) => again.push(l) });
    expect(again.filter((l) => /applied/.test(l))).toEqual([]);
  });

  it("refuses a wrong password with one line naming host, port and database, not the password", async () => {
    const url = withPassword(await freshDatabase(server), "WrongPassw0rd-xyz");
    const { port } = new URL(url);
    const database = new URL(url).pathname.slice(1);
    await expect(openRepository(readEnv({ DATABASE_URL: url }))).rejects.toThrow(
      new RegExp(`^cannot connect to 127\\.0\\.0\\.1:${port}/${database}: password authentication failed`),
    );
  });

  it("refuses an unreachable server and creates nothing", async () => {
    const port = await closedPort();
    const url = `postgresql://postgres:NotShown-123@127.0.0.1:${port}/planwatch`;
    const error = await openRepository(readEnv({ DATABASE_URL: url })).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(`cannot connect to 127.0.0.1:${port}/planwatch: `);
    expect((error as Error).message).not.toContain("NotShown");
  });

  it("makes the CLI exit non-zero with one clear line, never the password", async () => {
    const url = withPassword(await freshDatabase(server), "Secret-In-Url-42");
    const result = await cli(["status"], { DATABASE_URL: url });
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^planwatch: cannot connect to 127\.0\.0\.1:\d+\/t_[0-9a-f]+: password authentication failed/);
    expect(result.stderr + result.stdout).not.toContain("Secret-In-Url-42");
  });

  it("makes the app server exit non-zero with one clear line before serving anything", async () => {
    const port = await closedPort();
    const result = await tsx(["cli/serve.ts", "--dev"], {
      DATABASE_URL: `postgresql://postgres:AppSecret-77@127.0.0.1:${port}/repo`,
      PORT: String(await closedPort()),
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split("\n")).toEqual([expect.stringMatching(`^planwatch: cannot connect to 127.0.0.1:${port}/repo: `)]);
    expect(result.stderr + result.stdout).not.toContain("AppSecret-77");
  });

  it("serves `planwatch status --json` from a healthy repository", async () => {
    const url = await freshDatabase(server);
    const result = await cli(["status", "--json"], { DATABASE_URL: url });
    expect(result.code).toBe(0);
    const status = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(status).toMatchObject({ embedded: false, targets: 0, statements: 0, plans: 0 });
    expect(status.migrations).toBeGreaterThanOrEqual(1);
    expect(String(status.serverVersion)).toMatch(new RegExp(`^${server.major}\\.`));
  });
});

describe("the embedded repository", () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  it("starts PostgreSQL 18 in the data folder, refuses a second server, lets the CLI reuse it, and keeps data", async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), "planwatch-embedded-"));
    dirs.push(dataDir);
    const env = readEnv({ PLANWATCH_DATA_DIR: dataDir, PLANWATCH_EMBEDDED_PORT: String(await closedPort()) });

    const first = await openRepository(env);
    try {
      expect(first.embedded?.major).toBe(18);
      expect((await stat(path.join(dataDir, "repository.json"))).mode & 0o777).toBe(0o600);
      await withClient(first.url, (c) => c.query("insert into target (name, host, database, username, updated_at) values ('kept', 'h', 'd', 'u', now())"));

      await expect(openRepository(env)).rejects.toThrow(/is in use by another PlanWatch/);
      const reused = await openRepository(env, { reuseRunningEmbedded: true });
      expect(reused.embedded).toBeNull();
      expect(reused.url).toBe(first.url);
    } finally {
      await first.close();
    }

    const second = await openRepository(env);
    try {
      const kept = await withClient(second.url, (c) => c.query("select name from target"));
      expect(kept.rows).toEqual([{ name: "kept" }]);
    } finally {
      await second.close();
    }
  });
});

describe("GET /api/health", () => {
  it("answers 503 with the reason and no password when the repository is unreachable", async () => {
    const port = await closedPort();
    process.env.DATABASE_URL = `postgresql://postgres:HealthSecret-9@127.0.0.1:${port}/planwatch`;
    const { GET } = await import("@/app/api/health/route");
    const response = await GET();
    expect(response.status).toBe(503);
    const body = (await response.json()) as Record<string, string>;
    expect(body.status).toBe("error");
    expect(body.repository).toMatch(`cannot connect to 127.0.0.1:${port}/planwatch`);
    expect(JSON.stringify(body)).not.toContain("HealthSecret");
  });
});
