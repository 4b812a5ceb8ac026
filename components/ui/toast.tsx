"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import styles from "./toast.module.css";

export interface Toast {
  id: number;
  tone: "ok" | "error";
  text: string;
}

const OK_MS = 8_000;
const ERROR_MS = 15_000;

/** Local toasts for one widget: success fades after 8 s, errors after 15 s (or when dismissed). */
export function useToasts() {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const next = useRef(1);
  const timers = useRef(new Map<number, ReturnType<typeof setTimeout>>());
  const dismiss = useCallback((id: number) => {
    clearTimeout(timers.current.get(id));
    timers.current.delete(id);
    setToasts((list) => list.filter((t) => t.id !== id));
  }, []);
  const push = useCallback(
    (tone: Toast["tone"], text: string) => {
      const id = next.current++;
      setToasts((list) => [...list.slice(-3), { id, tone, text }]);
      timers.current.set(id, setTimeout(() => dismiss(id), tone === "error" ? ERROR_MS : OK_MS));
    },
    [dismiss],
  );
  useEffect(() => {
    const pending = timers.current;
    return () => pending.forEach((t) => clearTimeout(t));
  }, []);
  return { toasts, push, dismiss };
}

/** Errors are alerts (announced at once); confirmations are polite announcements. */
export function ToastRegion({ toasts, onDismiss }: { toasts: Toast[]; onDismiss: (id: number) => void }) {
  return (
    <div className={styles.region} aria-live="polite">
      {toasts.map((t) => (
        <div key={t.id} className={styles.toast} data-tone={t.tone} role={t.tone === "error" ? "alert" : undefined}>
          <span>{t.text}</span>
          <button type="button" className={styles.close} aria-label="Dismiss" onClick={() => onDismiss(t.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
