/** Every recorded answer in the repository follows the one format and says where it comes from. */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { eventsOf, jsonOf, loadRecording } from '../../test/helpers/recording.js';

function recordingsUnder(folder: URL): URL[] {
  return readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .filter((path) => path.endsWith('.http'))
    .sort()
    .map((path) => new URL(path, folder));
}

const FILES = [
  ...recordingsUnder(new URL('./', import.meta.url)),
  ...recordingsUnder(new URL('../../test/fixtures/', import.meta.url)),
];

describe('recorded provider answers', () => {
  it('there are recordings to check', () => {
    expect(FILES.length).toBeGreaterThan(30);
  });

  it.each(FILES.map((url) => [url.pathname.slice(url.pathname.indexOf('/src/') + 1).replace(/^.*\/test\//, 'test/'), url]))(
    '%s: a source, a status, a body that reads as its content type says',
    (_name, url) => {
      const recording = loadRecording(url as URL);
      expect(recording.source).toMatch(/^Source: \S/);
      expect(recording.status).toBeGreaterThanOrEqual(200);
      const type = recording.headers['content-type'] ?? '';
      if (type.startsWith('application/json')) expect(() => jsonOf(recording)).not.toThrow();
      else {
        expect(type).toMatch(/^text\/event-stream/);
        expect(eventsOf(recording).length).toBeGreaterThan(0);
      }
    },
  );

  it('a file without a source line is refused', () => {
    expect(() => loadRecording(new URL('./recordings.test.ts', import.meta.url))).toThrow(/not a recording/);
  });
});
