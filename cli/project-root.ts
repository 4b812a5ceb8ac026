import path from "node:path";

/** The checkout's root (package.json, .next/, node_modules/): cli/ is one level below it. */
export const projectRoot = path.resolve(import.meta.dirname, "..");
