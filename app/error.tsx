"use client";

// Errors of app/(app)/layout.tsx itself (the session lookup: the repository is down); the pages'
// own errors are caught under the header by app/(app)/error.tsx and each route's error.tsx.
import { MinimalHeader } from "@/components/ui/minimal-header";
import { RouteError, type RouteErrorProps } from "@/components/ui/route-error";

export default function RootErrorPage(props: RouteErrorProps) {
  return (
    <>
      <MinimalHeader />
      <main className="app-main">
        <RouteError {...props} title="Something went wrong" />
      </main>
    </>
  );
}
