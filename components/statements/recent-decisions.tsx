import Link from "next/link";
import type { AuditRow } from "@/lib/db/audit";
import { shortFingerprint } from "@/lib/plan/fingerprint";
import { formatTimestamp } from "@/lib/statements/format";
import styles from "./statements.module.css";

/** "Unapproved → Rejected", "enabled → disabled", or both. */
export function describeChange(row: Pick<AuditRow, "fromStatus" | "toStatus" | "fromEnabled" | "toEnabled">): string {
  if (row.fromStatus === null && row.fromEnabled === null) return `first status: ${row.toStatus}${row.toEnabled ? "" : ", disabled"}`;
  const parts: string[] = [];
  if (row.fromStatus !== row.toStatus) parts.push(`${row.fromStatus ?? "—"} → ${row.toStatus}`);
  if (row.fromEnabled !== row.toEnabled) parts.push(row.toEnabled ? "enabled" : "disabled");
  return parts.join(", ") || row.toStatus;
}

export function RecentDecisions({ decisions }: { decisions: AuditRow[] }) {
  return (
    <div style={{ marginTop: "0.9rem" }}>
      <h3 style={{ fontSize: "0.9rem", margin: "0 0 0.4rem" }}>
        Last decisions <Link href="/audit" style={{ fontWeight: 400, fontSize: "0.8rem" }}>full audit</Link>
      </h3>
      {decisions.length === 0 ? (
        <p className={styles.muted} style={{ margin: 0 }}>No decision on this statement&apos;s plans yet.</p>
      ) : (
        <div className={styles.tableWrap}>
          <table className={styles.table} aria-label="Last decisions on this statement">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Plan</th>
                <th scope="col">Change</th>
                <th scope="col">Write-back</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {decisions.map((d) => (
                <tr key={d.id}>
                  <td>{formatTimestamp(d.at)}</td>
                  <td>{d.actor}</td>
                  <td className={styles.mono}>{shortFingerprint(d.fingerprint)}</td>
                  <td>{describeChange(d)}</td>
                  <td title={d.writeBackDetail ?? undefined}>{d.writeBackResult ?? "—"}</td>
                  <td style={{ whiteSpace: "normal" }}>{d.reason ?? <span className={styles.muted}>—</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
