import { describe, expect, it } from "vitest";
import { classifySql, scanSql } from "./sql-safety";

describe("classifySql", () => {
  it.each([
    "select * from t where id = $1",
    "SELECT count(*) FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.total > $1 AND c.region = $2",
    "with recent as (select * from t where ts > $1) select * from recent",
    "values ($1, $2)",
    "table t",
    "(select 1) union (select 2)",
    "select 'insert into t values (1)' as s, \"update\" from t -- delete everything\n",
    "select $body$ delete from t $body$, E'it\\'s; update' /* merge ; */",
    "select 1;",
  ])("read-only: %s", (sql) => {
    const v = classifySql(sql);
    expect(v.refused).toBeNull();
    expect(v.writes).toBeNull();
  });

  it.each([
    ["insert into t values ($1)", /INSERT/],
    ["UPDATE t SET v = $1", /UPDATE/],
    ["delete from t", /DELETE/],
    ["merge into t using s on t.id = s.id when matched then delete", /MERGE/],
    ["with d as (delete from t returning *) select * from d", /data-modifying/],
    ["select * from t for update", /UPDATE/],
    ["select * from t for no key update", /UPDATE/],
    ["select * from t for share", /FOR SHARE/],
    ["select * from t for key share", /FOR SHARE/],
    ["select * into new_t from t", /SELECT INTO/],
  ])("writes: %s", (sql, reason) => {
    const v = classifySql(sql);
    expect(v.refused).toBeNull();
    expect(v.writes).toMatch(reason);
  });

  it.each([
    ["select 1; drop table t", /more than one statement/],
    ["drop table t", /DROP statements cannot be explained/],
    ["create table x as select 1", /CREATE/],
    ["", /empty/],
    ["  -- just a comment", /empty/],
    ["copy t to stdout", /COPY/],
    ["explain analyze delete from t", /EXPLAIN/],
  ])("refused: %s", (sql, reason) => {
    expect(classifySql(sql).refused).toMatch(reason);
  });
});

describe("scanSql", () => {
  it("counts parameters by the highest $n, outside strings", () => {
    expect(scanSql("select $1, $3, '$9'").parameterCount).toBe(3);
    expect(scanSql("select $$ $7 $$").parameterCount).toBe(0);
    expect(scanSql("select 1").parameterCount).toBe(0);
  });
  it("skips nested comments and quoted identifiers", () => {
    expect(scanSql('select /* a /* b */ delete */ "insert" from t').words).toEqual(["select", "from", "t"]);
  });
});
