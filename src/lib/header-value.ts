/** A header's value by its lower-case name, whatever case the sender used; undefined when absent. */
export function headerValue(headers: Record<string, string | undefined>, name: string): string | undefined {
  const direct = headers[name];
  if (direct !== undefined) return direct;
  for (const [key, value] of Object.entries(headers)) {
    if (value !== undefined && key.toLowerCase() === name) return value;
  }
  return undefined;
}
