/** Management route bodies are parsed with their zod schema; the first problem becomes a 400 naming the field. */
import type { z } from 'zod';
import { invalidRequest } from '../errors.js';

export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const param = issue !== undefined && issue.path.length > 0 ? issue.path.map(String).join('.') : null;
  throw invalidRequest(issue?.message ?? 'The request body is not valid.', param);
}
