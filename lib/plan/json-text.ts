// Values JSON.parse made, back to text, without recursion: a pasted plan can nest a value 100,000
// deep in 200 kB, and JSON.parse takes that, but JSON.stringify and String() (through
// Array.prototype.join) recurse per level and throw a RangeError somewhere past 5,000 levels.

interface Frame {
  /** The array's items, or the object whose `keys` are read. */
  container: unknown[] | Record<string, unknown>;
  keys: string[] | null;
  next: number;
}

/**
 * `JSON.stringify(value)` for a value from JSON.parse (plain objects and arrays, strings, finite
 * numbers, booleans, null), or its first `maxChars` characters and maybe a few more: an error
 * message quoting a value needs only its start, whatever the value's size.
 */
export function jsonText(value: unknown, maxChars = Infinity): string {
  const parts: string[] = [];
  let length = 0;
  const emit = (text: string) => {
    parts.push(text);
    length += text.length;
  };
  // A string's first maxChars characters decide the first maxChars of its quoted form (a
  // surrogate pair is escaped alike whether cut after it or not).
  const quote = (text: string) => JSON.stringify(text.length > maxChars ? text.slice(0, maxChars) : text);
  const stack: Frame[] = [];
  let pending: unknown = value;
  let hasPending = true;
  while (length < maxChars) {
    if (hasPending) {
      hasPending = false;
      if (Array.isArray(pending)) {
        emit("[");
        stack.push({ container: pending, keys: null, next: 0 });
      } else if (pending !== null && typeof pending === "object") {
        emit("{");
        stack.push({ container: pending as Record<string, unknown>, keys: Object.keys(pending), next: 0 });
      } else {
        emit(typeof pending === "string" ? quote(pending) : String(JSON.stringify(pending)));
      }
      continue;
    }
    const top = stack.at(-1);
    if (top === undefined) break;
    const count = top.keys === null ? (top.container as unknown[]).length : top.keys.length;
    if (top.next >= count) {
      emit(top.keys === null ? "]" : "}");
      stack.pop();
      continue;
    }
    if (top.next > 0) emit(",");
    if (top.keys === null) pending = (top.container as unknown[])[top.next];
    else {
      const key = top.keys[top.next] as string;
      emit(`${quote(key)}:`);
      pending = (top.container as Record<string, unknown>)[key];
    }
    hasPending = true;
    top.next++;
  }
  return parts.join("");
}

/** `String(value)` for a value from JSON.parse: nested arrays joined with "," as Array.prototype.join does. */
export function plainText(value: unknown): string {
  if (!Array.isArray(value)) return String(value);
  const parts: string[] = [];
  const stack: Array<{ items: unknown[]; next: number }> = [{ items: value, next: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1] as { items: unknown[]; next: number };
    if (top.next >= top.items.length) {
      stack.pop();
      continue;
    }
    if (top.next > 0) parts.push(",");
    const item = top.items[top.next++];
    if (Array.isArray(item)) stack.push({ items: item, next: 0 });
    else if (item !== null && item !== undefined) parts.push(String(item));
  }
  return parts.join("");
}
