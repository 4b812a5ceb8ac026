"use client";

import { RouteError, type RouteErrorProps } from "@/components/ui/route-error";

// The plan views run lib/plan in the browser: a plan it chokes on must not take the page down silently.
export default function PlanRouteError(props: RouteErrorProps) {
  return <RouteError {...props} title="This plan view failed" />;
}
