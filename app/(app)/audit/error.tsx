"use client";

import { RouteError, type RouteErrorProps } from "@/components/ui/route-error";

export default function AuditError(props: RouteErrorProps) {
  return <RouteError {...props} title="The audit could not be shown" />;
}
