/**
 * An opaque cursor for lists ordered newest first by (created_at, id): the position of the last
 * row of a page, as base64url of `created_at:id`.
 */
import { invalidRequest } from '../errors.js';

export interface PagePosition {
  createdAt: number;
  id: string;
}

export function encodeCursor(position: PagePosition): string {
  return Buffer.from(`${position.createdAt}:${position.id}`, 'utf8').toString('base64url');
}

/** @throws GatewayError 400 naming `cursor` when the text is not one of ours. */
export function decodeCursor(cursor: string): PagePosition {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const sep = text.indexOf(':');
  const createdAt = Number(text.slice(0, sep));
  if (sep < 1 || !Number.isInteger(createdAt) || sep === text.length - 1)
    throw invalidRequest('cursor is not valid; pass the next_cursor of the previous page.', 'cursor');
  return { createdAt, id: text.slice(sep + 1) };
}
