import { AUDIT_STATUSES, type AuditFilters } from "@/lib/db/audit";
import styles from "../statements/statements.module.css";

/** A plain GET form: the filters live in the URL, and it works before any script has loaded. */
export function AuditFilterForm({ targets, filters }: { targets: string[]; filters: AuditFilters }) {
  return (
    <form method="get" action="/audit" className={styles.toolbar} role="search" aria-label="Filter decisions">
      <label className={styles.field}>
        Target
        <select name="target" defaultValue={filters.target ?? ""}>
          <option value="">All targets</option>
          {targets.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
      </label>
      <label className={styles.field}>
        Actor
        <input name="actor" defaultValue={filters.actor ?? ""} placeholder="e.g. alice@ or cli:" spellCheck={false} />
      </label>
      <label className={styles.field}>
        New status
        <select name="status" defaultValue={filters.status ?? ""}>
          <option value="">Any status</option>
          {AUDIT_STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </label>
      <button type="submit">Filter</button>
      <a href="/audit" style={{ alignSelf: "flex-end", padding: "0.4rem 0" }}>
        Clear
      </a>
    </form>
  );
}
