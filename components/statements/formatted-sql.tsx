import { format } from "sql-formatter";
import styles from "./statement-page.module.css";

/** The normalized statement, formatted for reading (PostgreSQL dialect; the raw text when it cannot be). */
export function FormattedSql({ sql }: { sql: string }) {
  let text = sql;
  try {
    text = format(sql, { language: "postgresql", keywordCase: "preserve", tabWidth: 2 });
  } catch {
    // pg_stat_statements keeps text sql-formatter may not parse (vendor syntax, truncation): show it as is.
  }
  return (
    <pre className={styles.sql} aria-label="Query text" tabIndex={0}>
      <code>{text}</code>
    </pre>
  );
}
