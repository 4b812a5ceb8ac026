// Hostile and bad input, as one catalogue: each row is an input, the call that receives it, the
// answer expected (HTTP status or error class, and the message), and proof that nothing was stored
// — the whole plan repository's fingerprint (row counts + md5 of every table) is identical before
// and after — and, for EXPLAIN ANALYZE rows, nothing executed: the target database's own tables
// are identical too (same fingerprint).
//
// Plans: /plans/paste reads them in the browser with parsePlan (nothing is sent), and every server
// path that stores a plan (collector, EXPLAIN, baseline import) goes through the same parsePlan;
// the baseline-import rows show a bad plan inside a file refuses the whole file.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as decisionPost } from "@/app/api/plans/[id]/decision/route";
import { GET as regressionsGet } from "@/app/api/regressions/route";
import { GET as statementPlansGet } from "@/app/api/statements/[id]/plans/route";
import { POST as explainPost } from "@/app/api/statements/[id]/explain/route";
import { GET as statementsGet } from "@/app/api/statements/route";
import { DELETE as targetDelete } from "@/app/api/targets/[name]/route";
import { POST as targetsPost } from "@/app/api/targets/route";
import { createApiToken } from "@/lib/auth/api-tokens";
import { actorFromHeaders, cliActor, type Actor } from "@/lib/auth/authorize";
import { encryptPassword } from "@/lib/collector/secrets";
import { importBaselines } from "@/lib/db/baseline-import";
import type { PrismaClient } from "@/lib/db/client";
import { MAX_JSON_BODY_BYTES } from "@/lib/http/route";
import { fingerprint, parsePlan } from "@/lib/plan";
import { freshDatabase, testServers, withClient } from "../support/databases";
import { repositoryFingerprint } from "../support/fingerprint";
import { freshRepository } from "../support/repository";

const ORIGIN = "http://planwatch.test";
const admin: Actor = { kind: "user", userId: "1", email: "dba@example.com", role: "admin" };

const TARGET_SETUP = `
  create table t (id int primary key, v text);
  insert into t select g, 'v' || g from generate_series(1, 100) g;
  analyze t;
  -- A write hidden behind a SELECT.
  create function sneaky(x int) returns int language plpgsql as $$
  begin insert into t values (1000 + x, 'sneaky'); return x; end $$;
`;

let repo: PrismaClient;
let repoUrl: string;
let targetUrl: string;
let targetName: string;
const statements = { lookup: "", intLookup: "", del: "", sneaky: "" };
let planId = "";
const tokens = { viewer: "", approver: "", admin: "" };

beforeAll(async () => {
  const server = testServers()[0]!;
  ({ url: repoUrl, repo } = await freshRepository(server));
  process.env.DATABASE_URL = repoUrl;
  process.env.PLANWATCH_SECRET = "bad-input integration test secret";
  targetUrl = await freshDatabase(server, "bad_input_target");
  await withClient(targetUrl, (c) => c.query(TARGET_SETUP));
  const dbId = await withClient(targetUrl, async (c) => BigInt((await c.query<{ oid: string }>("select oid::text as oid from pg_database where datname = current_database()")).rows[0]!.oid));
  const u = new URL(targetUrl);
  targetName = "bad-input-target";
  const target = await repo.target.create({
    data: {
      name: targetName,
      host: u.hostname,
      port: Number(u.port),
      database: u.pathname.slice(1),
      username: decodeURIComponent(u.username),
      passwordCiphertext: new Uint8Array(await encryptPassword(decodeURIComponent(u.password))),
    },
  });
  let queryId = 7000n;
  const statement = async (queryText: string) => String((await repo.statement.create({ data: { targetId: target.id, queryId: (queryId += 1n), dbId, userId: 10n, queryText } })).id);
  statements.lookup = await statement("select * from t where v = $1 or id = $2");
  statements.intLookup = await statement("select * from t where id = $1");
  statements.del = await statement("delete from t where id = $1");
  statements.sneaky = await statement("select sneaky($1::int)");
  planId = String(
    (await repo.plan.create({ data: { statementId: BigInt(statements.lookup), fingerprint: "fp-bad-input", status: "Approved", plan: { Plan: { "Node Type": "Seq Scan" } }, source: "auto_explain" } })).id,
  );
  for (const role of ["viewer", "approver", "admin"] as const) {
    tokens[role] = (await createApiToken(repo, { name: role, role, actor: cliActor() })).token;
    // First use records lastUsedAt (once a minute): do it now, not inside a row.
    await actorFromHeaders(new Headers({ authorization: `Bearer ${tokens[role]}` }));
  }
});

afterAll(async () => {
  await repo?.$disconnect();
});

// ---- inputs -------------------------------------------------------------------------------------

const SEQ_SCAN = [{ Plan: { "Node Type": "Seq Scan", "Relation Name": "t", Alias: "t", "Startup Cost": 0, "Total Cost": 2, "Plan Rows": 100, "Plan Width": 8 } }];
const TRUNCATED_JSON = '[{"Plan": {"Node Type": "Seq Scan", "Relation';
const TEN_MB_PLAN = JSON.stringify([{ Plan: { "Node Type": "Seq Scan", "Relation Name": "t", Filter: "x".repeat(10 * 1024 * 1024) } }]);
/** 100,000 nested plan nodes, built as text (JSON.stringify itself would overflow the stack). */
const DEEP_PLAN = `[{"Plan":${'{"Node Type":"Nested Loop","Plans":['.repeat(100_000)}{"Node Type":"Seq Scan"}${"]}".repeat(100_000)}}]`;

function baselineFile(plans: Array<{ text: string; plan: string }>, head: { format?: string; version?: number } = {}): string {
  const statementsJson = plans.map(
    (p, i) => `{"queryText":${JSON.stringify(p.text)},"queryId":"${9000 + i}","plans":[{"fingerprint":"${planFingerprint(p.plan)}","status":"Approved","enabled":true,"plan":${p.plan}}]}`,
  );
  return `{"format":${JSON.stringify(head.format ?? "planwatch-baselines")},"version":${head.version ?? 1},"exportedAt":"2026-01-01T00:00:00.000Z","source":{"target":"dev","serverVersion":"18.1"},"statements":[${statementsJson.join(",")}]}`;
}
function planFingerprint(planJson: string): string {
  try {
    return fingerprint(parsePlan(planJson));
  } catch {
    return "0123456789abcdef";
  }
}
const GOOD = { text: "select * from t where id = $1", plan: JSON.stringify(SEQ_SCAN) };

// ---- calls --------------------------------------------------------------------------------------

type Outcome = { status: number | string; error: string };

async function http(response: Promise<Response>): Promise<Outcome> {
  const r = await response;
  const text = await r.text();
  let body: { error?: string; field?: string } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    /* a 204 or a success body that is not an error */
  }
  return { status: r.status, error: body.error ? `${body.error}${body.field ? ` [field ${body.field}]` : ""}` : "" };
}
async function thrown(fn: () => unknown): Promise<Outcome> {
  try {
    await fn();
    return { status: "ok", error: "" };
  } catch (err) {
    return { status: err instanceof Error ? err.constructor.name : typeof err, error: err instanceof Error ? err.message : String(err) };
  }
}

const bearer = (role: keyof typeof tokens) => ({ authorization: `Bearer ${tokens[role]}` });
function post(path: string, role: keyof typeof tokens, body: string, headers: Record<string, string> = {}): Request {
  return new Request(`${ORIGIN}${path}`, { method: "POST", headers: { "content-type": "application/json", ...bearer(role), ...headers }, body });
}
const explain = (id: string, body: unknown) => http(explainPost(post(`/api/statements/${id}/explain`, "approver", JSON.stringify(body)), { params: Promise.resolve({ id }) }));
const decide = (id: string, body: string, headers: Record<string, string> = {}) =>
  http(decisionPost(post(`/api/plans/${id}/decision`, "approver", body, headers), { params: Promise.resolve({ id }) }));
/** A GET as a viewer (reads need an identity like everything else). */
const viewerRequest = (path: string) => new Request(`${ORIGIN}${path}`, { headers: { authorization: `Bearer ${tokens.viewer}` } });
const get = (handler: (r: Request) => Promise<Response>, path: string) => http(handler(viewerRequest(path)));
const paste = (source: string) => thrown(() => parsePlan(source));
const importFile = (file: string) => thrown(() => importBaselines(repo, { targetName, file, actor: admin }));

// ---- the catalogue ------------------------------------------------------------------------------

interface Row {
  input: string;
  call: string;
  run: () => Promise<Outcome>;
  status: number | string;
  error: RegExp;
  /** EXPLAIN ANALYZE rows: the target's tables must be exactly as before. */
  target?: true;
  /** Tables a successful call legitimately writes (the on-demand plan and its first-status audit row). */
  stores?: string[];
}

const BIG = "x".repeat(MAX_JSON_BODY_BYTES + 1);

const catalogue: Row[] = [
  // Plans pasted into /plans/paste (parsePlan, in the browser).
  { input: "empty plan", call: "parsePlan (/plans/paste)", run: () => paste(""), status: "PlanParseError", error: /The input is empty/ },
  { input: "truncated JSON plan", call: "parsePlan (/plans/paste)", run: () => paste(TRUNCATED_JSON), status: "PlanParseError", error: /not valid JSON: it ends too early/ },
  { input: "JSON that is not a plan", call: "parsePlan (/plans/paste)", run: () => paste('{"hello": "world"}'), status: "PlanParseError", error: /not an EXPLAIN plan/ },
  { input: "text that is not a plan", call: "parsePlan (/plans/paste)", run: () => paste("<script>alert(1)</script>"), status: "PlanParseError", error: /not an EXPLAIN plan/ },
  { input: "10 MB plan", call: "parsePlan (/plans/paste)", run: () => paste(TEN_MB_PLAN), status: "PlanParseError", error: /too large: 10\.0 Mi characters, more than the limit of 8,388,608 characters/ },
  { input: "plan nested 100,000 levels", call: "parsePlan (/plans/paste)", run: () => paste(DEEP_PLAN), status: "PlanParseError", error: /nested deeper than 5000 levels/ },
  // Baseline import files (lib/db/baseline-import): refused whole, nothing stored.
  { input: "CSV instead of a baseline file", call: "importBaselines", run: () => importFile("statement,plan\n1,Seq Scan"), status: "BaselineFileError", error: /not valid JSON.*nothing was imported/ },
  { input: "an EXPLAIN plan instead of a baseline file", call: "importBaselines", run: () => importFile(JSON.stringify(SEQ_SCAN)), status: "BaselineFileError", error: /not a PlanWatch baseline file.*nothing was imported/ },
  { input: "baseline file version 2", call: "importBaselines", run: () => importFile(baselineFile([GOOD], { version: 2 })), status: "BaselineFileError", error: /version 2 is not supported.*nothing was imported/ },
  { input: "truncated baseline file", call: "importBaselines", run: () => importFile(baselineFile([GOOD]).slice(0, 200)), status: "BaselineFileError", error: /not valid JSON.*nothing was imported/ },
  {
    input: "good statement + a truncated-JSON plan",
    call: "importBaselines",
    run: () => importFile(baselineFile([GOOD, { text: "select 2", plan: JSON.stringify(TRUNCATED_JSON) }])),
    status: "BaselineFileError",
    error: /statements\[1\]\.plans\[0\]\.plan is not an EXPLAIN plan.*nothing was imported/,
  },
  {
    input: "good statement + a plan nested 100,000 levels",
    call: "importBaselines",
    run: () => importFile(baselineFile([GOOD, { text: "select 3", plan: DEEP_PLAN }])),
    status: "BaselineFileError",
    error: /statements\[1\]\.plans\[0\]\.plan is not an EXPLAIN plan.*nested deeper than 5000 levels.*nothing was imported/,
  },
  {
    input: "good statement + a plan with a forged fingerprint",
    call: "importBaselines",
    run: () => importFile(baselineFile([GOOD]).replace(planFingerprint(GOOD.plan), "ffffffffffffffff")),
    status: "BaselineFileError",
    error: /does not match its plan.*nothing was imported/,
  },
  // EXPLAIN ANALYZE: values are bound, writes refused, hidden writes rolled back.
  {
    input: `parameter "'); DROP TABLE t; --"`,
    call: "POST /api/statements/:id/explain",
    run: () => explain(statements.lookup, { params: ["'); DROP TABLE t; --", "5"] }),
    status: 200,
    error: /^$/,
    target: true,
    stores: ["plan", "plan_sample", "plan_status_change"],
  },
  { input: `parameter "1; drop table t" for an int`, call: "POST /api/statements/:id/explain", run: () => explain(statements.intLookup, { params: ["1; drop table t"] }), status: 400, error: /invalid input syntax/, target: true },
  { input: "DELETE without allowWrites", call: "POST /api/statements/:id/explain", run: () => explain(statements.del, { params: ["1"] }), status: 400, error: /refused: the statement may write/, target: true },
  { input: "a write hidden in a function", call: "POST /api/statements/:id/explain", run: () => explain(statements.sneaky, { params: ["1"] }), status: 400, error: /read-only transaction.*nothing was committed/, target: true },
  { input: "params that are not strings", call: "POST /api/statements/:id/explain", run: () => explain(statements.lookup, { params: [{ sql: "drop table t" }] }), status: 400, error: /params/, target: true },
  // Unknown ids.
  { input: "unknown statement 999999999", call: "POST /api/statements/:id/explain", run: () => explain("999999999", { params: [] }), status: 404, error: /no such statement/, target: true },
  { input: "unknown statement 999999999", call: "GET /api/statements/:id/plans", run: () => http(statementPlansGet(viewerRequest("/api/statements/999999999/plans"), { params: Promise.resolve({ id: "999999999" }) })), status: 404, error: /./ },
  { input: "unknown plan 999999999", call: "POST /api/plans/:id/decision", run: () => decide("999999999", '{"action":"reject"}'), status: 404, error: /999999999/ },
  { input: "plan id '1 or 1=1'", call: "POST /api/plans/:id/decision", run: () => decide("1 or 1=1", '{"action":"reject"}'), status: 404, error: /does not exist/ },
  {
    input: "unknown target",
    call: "DELETE /api/targets/:name",
    run: () => http(targetDelete(new Request(`${ORIGIN}/api/targets/nope`, { method: "DELETE", headers: bearer("admin") }), { params: Promise.resolve({ name: "nope" }) })),
    status: 404,
    error: /nope/,
  },
  { input: "unknown target", call: "GET /api/statements?target=", run: () => get(statementsGet, "/api/statements?target=nope"), status: 404, error: /nope/ },
  // Malformed query parameters: 400 naming the field and the reason.
  { input: "recent=1y", call: "GET /api/statements", run: () => get(statementsGet, `/api/statements?target=${targetName}&recent=1y`), status: 400, error: /^recent: .+\[field recent\]$/ },
  { input: "page=-1", call: "GET /api/statements", run: () => get(statementsGet, `/api/statements?target=${targetName}&page=-1`), status: 400, error: /^page: must be a whole number from 1 to 100000 \[field page\]$/ },
  { input: "an unknown parameter", call: "GET /api/statements", run: () => get(statementsGet, "/api/statements?drop=table"), status: 400, error: /unknown parameter.*\[field drop\]/ },
  { input: "recent=1y", call: "GET /api/regressions", run: () => get(regressionsGet, `/api/regressions?target=${targetName}&recent=1y`), status: 400, error: /^recent: .+\[field recent\]$/ },
  { input: "minRatio=abc", call: "GET /api/regressions", run: () => get(regressionsGet, `/api/regressions?target=${targetName}&minRatio=abc`), status: 400, error: /^minRatio: must be .+\[field minRatio\]$/ },
  { input: "limit=1000000", call: "GET /api/regressions", run: () => get(regressionsGet, `/api/regressions?target=${targetName}&limit=1000000`), status: 400, error: /^limit: must be a whole number from 1 to 1000, or all \[field limit\]$/ },
  { input: "verdict=<script>", call: "GET /api/regressions", run: () => get(regressionsGet, `/api/regressions?target=${targetName}&verdict=%3Cscript%3E`), status: 400, error: /^verdict: "<script>" is not a verdict .+\[field verdict\]$/ },
  // Bodies: oversized → 413 (declared or not), not JSON → 400.
  { input: "1 MiB + 1 body, Content-Length declared", call: "POST /api/plans/:id/decision", run: () => decide(planId, BIG, { "content-length": String(BIG.length) }), status: 413, error: /request body too large/ },
  { input: "1 MiB + 1 body, no Content-Length", call: "POST /api/plans/:id/decision", run: () => decide(planId, JSON.stringify({ action: "reject", reason: BIG })), status: 413, error: /request body too large/ },
  { input: "1 MiB + 1 body", call: "POST /api/statements/:id/explain", run: () => explain(statements.lookup, { params: [BIG.slice(0, 100_000)], pad: BIG }), status: 413, error: /request body too large/, target: true },
  { input: "1 MiB + 1 body", call: "POST /api/targets", run: () => http(targetsPost(post("/api/targets", "admin", JSON.stringify({ name: "x", url: BIG })))), status: 413, error: /request body too large/ },
  { input: "body that is not JSON", call: "POST /api/plans/:id/decision", run: () => decide(planId, "action=reject"), status: 400, error: /not valid JSON/ },
  { input: "target name with HTML", call: "POST /api/targets", run: () => http(targetsPost(post("/api/targets", "admin", JSON.stringify({ name: "<img src=x onerror=alert(1)>", url: "postgresql://m@127.0.0.1:1/app" })))), status: 400, error: /must be 1 to 63 characters: letters, digits/ },
];

describe("hostile and bad input", () => {
  it("every row of the catalogue is refused (or bound) as expected, and nothing is stored or executed", async () => {
    const results: Array<{ input: string; call: string } & Outcome> = [];
    const expected: typeof results = [];
    for (const row of catalogue) {
      const repoBefore = await repositoryFingerprint(repoUrl);
      const targetBefore = row.target ? await repositoryFingerprint(targetUrl) : null;
      const outcome = await row.run();
      const where = { input: row.input, call: row.call };
      results.push({ ...where, ...outcome });
      expected.push({ ...where, status: row.status, error: expect.stringMatching(row.error) as unknown as string });
      if (targetBefore) expect({ ...where, target: await repositoryFingerprint(targetUrl) }).toEqual({ ...where, target: targetBefore });
      const repoAfter = await repositoryFingerprint(repoUrl);
      if (row.stores) {
        // Only the tables the stored on-demand plan lives in may change; nothing else.
        const without = (fp: typeof repoAfter) => Object.fromEntries(Object.entries(fp).filter(([table]) => !row.stores!.includes(table)));
        expect({ ...where, repository: without(repoAfter) }).toEqual({ ...where, repository: without(repoBefore) });
      } else {
        expect({ ...where, repository: repoAfter }).toEqual({ ...where, repository: repoBefore });
      }
    }
    expect(results).toEqual(expected);
    // The table the injected SQL named is still there with all its rows.
    expect(await withClient(targetUrl, async (c) => (await c.query<{ n: string }>("select count(*)::text as n from t")).rows[0]?.n)).toBe("100");
  });
});
