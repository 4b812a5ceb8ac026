"use client";

import { RouteError, type RouteErrorProps } from "@/components/ui/route-error";

export default function StatementError(props: RouteErrorProps) {
  return <RouteError {...props} title="This statement could not be shown" back={{ href: "/", label: "Back to statements" }} />;
}
