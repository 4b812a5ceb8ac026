// A fingerprint of a whole database's public schema, to prove that a refused request changed
// nothing: for every table, its row count and the md5 of its rows (as text) ordered by primary key
// (by the whole row when a table has none). One query over information_schema; query_to_xml runs
// the per-table aggregate without a function of our own in the database under test.
import pg from "pg";

const FINGERPRINT_SQL = `
  with tables as (
    select t.table_name,
           coalesce(
             (select string_agg(format('t.%I', k.column_name), ', ' order by k.ordinal_position)
                from information_schema.table_constraints c
                join information_schema.key_column_usage k
                  on k.constraint_schema = c.constraint_schema and k.constraint_name = c.constraint_name and k.table_name = c.table_name
               where c.table_schema = 'public' and c.table_name = t.table_name and c.constraint_type = 'PRIMARY KEY'),
             't::text') as order_by
      from information_schema.tables t
     where t.table_schema = 'public' and t.table_type = 'BASE TABLE'
  )
  select table_name,
         (xpath('/row/n/text()', x))[1]::text::bigint as rows,
         coalesce((xpath('/row/h/text()', x))[1]::text, '') as md5
    from tables,
         lateral query_to_xml(
           format('select count(*) as n, md5(string_agg(t::text, E''\\n'' order by %s)) as h from public.%I t', order_by, table_name),
           false, true, '') as x
   order by table_name`;

export type Fingerprint = Record<string, { rows: number; md5: string }>;

export async function repositoryFingerprint(url: string): Promise<Fingerprint> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ table_name: string; rows: string; md5: string }>(FINGERPRINT_SQL);
    return Object.fromEntries(rows.map((r) => [r.table_name, { rows: Number(r.rows), md5: r.md5 }]));
  } finally {
    await client.end();
  }
}
