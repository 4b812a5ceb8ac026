"use client";

import { RouteError, type RouteErrorProps } from "@/components/ui/route-error";

export default function TargetsError(props: RouteErrorProps) {
  return <RouteError {...props} title="The targets could not be shown" />;
}
