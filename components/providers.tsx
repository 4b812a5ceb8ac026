"use client";

import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { z } from "zod";

// zod 4 probes `new Function("")` to decide whether it may compile validators; our CSP has no
// 'unsafe-eval', so the probe would be reported as a violation on every page. Validate without
// compiling (the probe is lazy, so configuring it here, before any form parses, is enough).
z.config({ jitless: true });

export function Providers({ children }: { children: ReactNode }) {
  // One client per browser session; created in state so server renders never share it.
  const [client] = useState(
    () => new QueryClient({ defaultOptions: { queries: { staleTime: 5_000, refetchOnWindowFocus: true, retry: 1 } } }),
  );
  return <QueryClientProvider client={client}>{children}</QueryClientProvider>;
}
