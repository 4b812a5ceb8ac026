// A JSON plan node's values under the keys the model reads, gathered in one pass over the node's
// keys. Looking up ~55 keys per node, most of them absent, with a key that varies per call was
// the parser's main cost on 2,000-node plans: V8 cannot specialize such lookups. Here each key is
// matched by a switch and stored under a fixed name, and reading the values back is as cheap as
// reading a field.

/** Every key readNode reads, undefined when absent; a class, so all nodes' values share one shape. */
export class NodeValues {
  "Node Type": unknown = undefined;
  "Parent Relationship": unknown = undefined;
  "Subplan Name": unknown = undefined;
  "Relation Name": unknown = undefined;
  Schema: unknown = undefined;
  Alias: unknown = undefined;
  "Index Name": unknown = undefined;
  "CTE Name": unknown = undefined;
  "Function Name": unknown = undefined;
  "Join Type": unknown = undefined;
  Strategy: unknown = undefined;
  "Partial Mode": unknown = undefined;
  Operation: unknown = undefined;
  Command: unknown = undefined;
  "Scan Direction": unknown = undefined;
  "Parallel Aware": unknown = undefined;
  "Startup Cost": unknown = undefined;
  "Total Cost": unknown = undefined;
  "Plan Rows": unknown = undefined;
  "Plan Width": unknown = undefined;
  "Actual Startup Time": unknown = undefined;
  "Actual Total Time": unknown = undefined;
  "Actual Rows": unknown = undefined;
  "Actual Loops": unknown = undefined;
  "Workers Planned": unknown = undefined;
  "Workers Launched": unknown = undefined;
  Workers: unknown = undefined;
  "Shared Hit Blocks": unknown = undefined;
  "Shared Read Blocks": unknown = undefined;
  "Shared Dirtied Blocks": unknown = undefined;
  "Shared Written Blocks": unknown = undefined;
  "Local Hit Blocks": unknown = undefined;
  "Local Read Blocks": unknown = undefined;
  "Local Dirtied Blocks": unknown = undefined;
  "Local Written Blocks": unknown = undefined;
  "Temp Read Blocks": unknown = undefined;
  "Temp Written Blocks": unknown = undefined;
  "I/O Read Time": unknown = undefined;
  "I/O Write Time": unknown = undefined;
  "Shared I/O Read Time": unknown = undefined;
  "Shared I/O Write Time": unknown = undefined;
  "Local I/O Read Time": unknown = undefined;
  "Local I/O Write Time": unknown = undefined;
  "Temp I/O Read Time": unknown = undefined;
  "Temp I/O Write Time": unknown = undefined;
  "Rows Removed by Filter": unknown = undefined;
  "Rows Removed by Join Filter": unknown = undefined;
  "Rows Removed by Index Recheck": unknown = undefined;
  "Heap Fetches": unknown = undefined;
  "Index Searches": unknown = undefined;
  Disabled: unknown = undefined;
  "Sort Key": unknown = undefined;
  "Sort Method": unknown = undefined;
  "Sort Space Used": unknown = undefined;
  "Sort Space Type": unknown = undefined;
  "Group Key": unknown = undefined;
  "Grouping Sets": unknown = undefined;
  "Hash Buckets": unknown = undefined;
  "Hash Batches": unknown = undefined;
  "Peak Memory Usage": unknown = undefined;
  Output: unknown = undefined;
  Plans: unknown = undefined;
}

type NodeKey = keyof NodeValues;
const VALUE_KEYS = Object.keys(new NodeValues()) as NodeKey[];

/** Keys the model names; everything else scalar goes to a node's `extra` under EXPLAIN's own name. */
export function modelledKeys(conditionKeys: string[]): Set<string> {
  return new Set<string>([...conditionKeys, ...VALUE_KEYS.filter((k) => k !== "Grouping Sets")]);
}

/**
 * The values of a node (or worker, or "Planning"), and its other keys in their order: conditions
 * and what goes to `extra` ("Grouping Sets" is both). JSON.parse's objects hold only own keys;
 * anything else, such as a value handed over with a prototype, is looked up key by key as the
 * parser always did, inherited keys included.
 */
export function nodeValues(raw: Record<string, unknown>): { values: NodeValues; rest: string[] } {
  const values = new NodeValues();
  if (Object.getPrototypeOf(raw) !== Object.prototype) {
    for (const key of VALUE_KEYS) values[key] = raw[key];
    return { values, rest: Object.keys(raw) };
  }
  const rest: string[] = [];
  // for…in, not Object.keys: no key array per node, and V8 reads raw[key] from its enum cache.
  // Same keys in the same order: a plain object's prototype has no enumerable keys.
  for (const key in raw) {
    const value = raw[key];
    // One case per key, each storing under a fixed name: a computed values[key] would be as slow as the lookups.
    switch (key) {
      case "Node Type": values["Node Type"] = value; break;
      case "Parent Relationship": values["Parent Relationship"] = value; break;
      case "Subplan Name": values["Subplan Name"] = value; break;
      case "Relation Name": values["Relation Name"] = value; break;
      case "Schema": values.Schema = value; break;
      case "Alias": values.Alias = value; break;
      case "Index Name": values["Index Name"] = value; break;
      case "CTE Name": values["CTE Name"] = value; break;
      case "Function Name": values["Function Name"] = value; break;
      case "Join Type": values["Join Type"] = value; break;
      case "Strategy": values.Strategy = value; break;
      case "Partial Mode": values["Partial Mode"] = value; break;
      case "Operation": values.Operation = value; break;
      case "Command": values.Command = value; break;
      case "Scan Direction": values["Scan Direction"] = value; break;
      case "Parallel Aware": values["Parallel Aware"] = value; break;
      case "Startup Cost": values["Startup Cost"] = value; break;
      case "Total Cost": values["Total Cost"] = value; break;
      case "Plan Rows": values["Plan Rows"] = value; break;
      case "Plan Width": values["Plan Width"] = value; break;
      case "Actual Startup Time": values["Actual Startup Time"] = value; break;
      case "Actual Total Time": values["Actual Total Time"] = value; break;
      case "Actual Rows": values["Actual Rows"] = value; break;
      case "Actual Loops": values["Actual Loops"] = value; break;
      case "Workers Planned": values["Workers Planned"] = value; break;
      case "Workers Launched": values["Workers Launched"] = value; break;
      case "Workers": values.Workers = value; break;
      case "Shared Hit Blocks": values["Shared Hit Blocks"] = value; break;
      case "Shared Read Blocks": values["Shared Read Blocks"] = value; break;
      case "Shared Dirtied Blocks": values["Shared Dirtied Blocks"] = value; break;
      case "Shared Written Blocks": values["Shared Written Blocks"] = value; break;
      case "Local Hit Blocks": values["Local Hit Blocks"] = value; break;
      case "Local Read Blocks": values["Local Read Blocks"] = value; break;
      case "Local Dirtied Blocks": values["Local Dirtied Blocks"] = value; break;
      case "Local Written Blocks": values["Local Written Blocks"] = value; break;
      case "Temp Read Blocks": values["Temp Read Blocks"] = value; break;
      case "Temp Written Blocks": values["Temp Written Blocks"] = value; break;
      case "I/O Read Time": values["I/O Read Time"] = value; break;
      case "I/O Write Time": values["I/O Write Time"] = value; break;
      case "Shared I/O Read Time": values["Shared I/O Read Time"] = value; break;
      case "Shared I/O Write Time": values["Shared I/O Write Time"] = value; break;
      case "Local I/O Read Time": values["Local I/O Read Time"] = value; break;
      case "Local I/O Write Time": values["Local I/O Write Time"] = value; break;
      case "Temp I/O Read Time": values["Temp I/O Read Time"] = value; break;
      case "Temp I/O Write Time": values["Temp I/O Write Time"] = value; break;
      case "Rows Removed by Filter": values["Rows Removed by Filter"] = value; break;
      case "Rows Removed by Join Filter": values["Rows Removed by Join Filter"] = value; break;
      case "Rows Removed by Index Recheck": values["Rows Removed by Index Recheck"] = value; break;
      case "Heap Fetches": values["Heap Fetches"] = value; break;
      case "Index Searches": values["Index Searches"] = value; break;
      case "Disabled": values.Disabled = value; break;
      case "Sort Key": values["Sort Key"] = value; break;
      case "Sort Method": values["Sort Method"] = value; break;
      case "Sort Space Used": values["Sort Space Used"] = value; break;
      case "Sort Space Type": values["Sort Space Type"] = value; break;
      case "Group Key": values["Group Key"] = value; break;
      case "Grouping Sets": values["Grouping Sets"] = value; rest.push(key); break;
      case "Hash Buckets": values["Hash Buckets"] = value; break;
      case "Hash Batches": values["Hash Batches"] = value; break;
      case "Peak Memory Usage": values["Peak Memory Usage"] = value; break;
      case "Output": values.Output = value; break;
      case "Plans": values.Plans = value; break;
      default: rest.push(key);
    }
  }
  return { values, rest };
}
