import Link from "next/link";
import type { AuditFilters, AuditPage } from "@/lib/db/audit";
import { shortFingerprint } from "@/lib/plan/fingerprint";
import { formatCount, formatTimestamp } from "@/lib/statements/format";
import { describeChange } from "../statements/recent-decisions";
import styles from "../statements/statements.module.css";

function pageHref(filters: AuditFilters, page: number): string {
  const q = new URLSearchParams();
  if (filters.target) q.set("target", filters.target);
  if (filters.actor) q.set("actor", filters.actor);
  if (filters.status) q.set("status", filters.status);
  if (page > 1) q.set("page", String(page));
  const s = q.toString();
  return `/audit${s ? `?${s}` : ""}`;
}

const WRITE_BACK_TONE: Record<string, string | undefined> = { ok: "ok", failed: "bad", pending: "warn" };

export function AuditTable({ page, filters }: { page: AuditPage; filters: AuditFilters }) {
  return (
    <>
      <div className={styles.tableWrap}>
        <table className={styles.table} aria-label="Plan decisions">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Actor</th>
              <th scope="col">Target</th>
              <th scope="col">Statement</th>
              <th scope="col">Plan</th>
              <th scope="col">Change</th>
              <th scope="col">Write-back</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {page.rows.map((r) => (
              <tr key={r.id}>
                <td>{formatTimestamp(r.at)}</td>
                <td>{r.actor}</td>
                <td>{r.target}</td>
                <td className={styles.queryCell} style={{ width: "30%" }}>
                  <Link className={styles.query} href={`/statements/${r.statementId}`} title={r.queryText}>
                    {r.queryText}
                  </Link>
                </td>
                <td>
                  <Link className={styles.mono} href={`/statements/${r.statementId}/plans/${r.planId}`} title={r.fingerprint}>
                    {shortFingerprint(r.fingerprint)}
                  </Link>
                </td>
                <td>{describeChange(r)}</td>
                <td title={r.writeBackDetail ?? undefined}>
                  {r.writeBackResult ? (
                    <span className={styles.badge} data-tone={WRITE_BACK_TONE[r.writeBackResult]}>
                      {r.writeBackResult}
                    </span>
                  ) : (
                    <span className={styles.muted}>—</span>
                  )}
                </td>
                <td style={{ whiteSpace: "normal", minWidth: "12rem" }}>{r.reason ?? <span className={styles.muted}>—</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {page.rows.length === 0 ? <p className={styles.empty}>No decision matches these filters.</p> : null}
      </div>
      <div className={styles.footer}>
        <span>
          {formatCount(page.total)} decision{page.total === 1 ? "" : "s"}, newest first
        </span>
        <nav className={styles.pager} aria-label="Pages">
          {page.page > 1 ? <Link href={pageHref(filters, page.page - 1)}>Previous</Link> : <span className={styles.muted}>Previous</span>}
          <span>
            Page {page.page} of {page.pageCount}
          </span>
          {page.page < page.pageCount ? <Link href={pageHref(filters, page.page + 1)}>Next</Link> : <span className={styles.muted}>Next</span>}
        </nav>
      </div>
    </>
  );
}
