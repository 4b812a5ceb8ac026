import type { TargetRow } from "@/lib/collector/targets";
import { formatAgo, formatDurationMs, formatTimestamp } from "@/lib/statements/format";
import { RemoveTargetButton } from "./remove-target-button";
import styles from "../statements/statements.module.css";

const HEALTH_TONE = { healthy: "ok", unhealthy: "bad", unknown: undefined } as const;

/** Targets with health and collection state; connection shown as user@host:port/database, never a password. */
export function TargetTable({ targets, now, canManage }: { targets: TargetRow[]; now: Date; canManage: boolean }) {
  return (
    <div className={styles.tableWrap}>
      <table className={styles.table} aria-label="Targets">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Health</th>
            <th scope="col">Connection</th>
            <th scope="col">Server</th>
            <th scope="col">Capabilities</th>
            <th scope="col">Last collection</th>
            <th scope="col">Last error</th>
            {canManage ? (
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>
          {targets.map((t) => (
            <tr key={t.name}>
              <td>
                <a href={`/?target=${encodeURIComponent(t.name)}`}>{t.name}</a>
              </td>
              <td>
                <span className={styles.badge} data-tone={HEALTH_TONE[t.health]}>
                  {t.health}
                </span>
              </td>
              <td className={styles.mono}>
                {t.username}@{t.host}:{t.port}/{t.database}
              </td>
              <td>{t.serverVersion ?? <span className={styles.muted}>—</span>}</td>
              <td style={{ whiteSpace: "normal", minWidth: "16rem" }}>
                {t.capabilities ?? <span className={styles.muted}>not detected yet</span>}
                {t.warnings.length > 0 ? (
                  <details>
                    <summary className={styles.badge} data-tone="warn" style={{ cursor: "pointer", marginTop: "0.25rem" }}>
                      {t.warnings.length} warning{t.warnings.length === 1 ? "" : "s"}
                    </summary>
                    <ul style={{ margin: "0.3rem 0 0", paddingLeft: "1.1rem", fontSize: "0.8rem" }}>
                      {t.warnings.map((w) => (
                        <li key={w}>{w}</li>
                      ))}
                    </ul>
                  </details>
                ) : null}
              </td>
              <td title={t.lastCollectedAt ? formatTimestamp(t.lastCollectedAt) : undefined}>
                {formatAgo(t.lastCollectedAt, now)}
                <div className={styles.muted} style={{ fontSize: "0.76rem" }}>
                  every {formatDurationMs(t.collectIntervalSeconds * 1000)}
                </div>
              </td>
              <td style={{ whiteSpace: "normal", maxWidth: "24rem" }} className={t.lastError ? styles.bad : styles.muted}>
                {t.lastError ?? "—"}
              </td>
              {canManage ? (
                <td>
                  <RemoveTargetButton name={t.name} />
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
