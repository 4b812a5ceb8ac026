import "server-only";
import { cache } from "react";
import { currentActor } from "./current-actor";

/**
 * currentActor() once per request: the (app) layout's session gate and the pages that hide what the
 * role cannot do share one session lookup. Showing or hiding is UI only; every write is still
 * checked by authorize() on the server.
 */
export const sessionActor = cache(currentActor);
