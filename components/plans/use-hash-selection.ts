"use client";

import { useCallback, useEffect, useState } from "react";

/**
 * A selection kept in the URL hash ("#node-12"), so a link to a plan can point at a node and the
 * back/forward buttons are not polluted (replaceState, not pushState).
 */
export function useHashSelection(prefix: string): [number | null, (id: number | null) => void] {
  const [selected, setSelected] = useState<number | null>(null);

  useEffect(() => {
    const read = () => {
      const match = new RegExp(`^#${prefix}-(\\d+)$`).exec(window.location.hash);
      setSelected(match ? Number(match[1]) : null);
    };
    read();
    window.addEventListener("hashchange", read);
    return () => window.removeEventListener("hashchange", read);
  }, [prefix]);

  const select = useCallback(
    (id: number | null) => {
      setSelected(id);
      const url = new URL(window.location.href);
      url.hash = id === null ? "" : `${prefix}-${id}`;
      window.history.replaceState(window.history.state, "", url);
    },
    [prefix],
  );

  return [selected, select];
}
