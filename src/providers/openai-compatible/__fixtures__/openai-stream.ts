/**
 * An OpenAI text stream with `stream_options.include_usage`, written for Z-AI's tests in the shape of
 * docs/providers.md §1.5. The text holds 2-, 3- and 4-byte UTF-8 characters so that byte splits
 * land inside them.
 */
import { recordingsIn } from '../../../../test/helpers/recording.js';

const recorded = recordingsIn(new URL('./', import.meta.url));

/** The raw SSE body, as the upstream sends it. */
export const OPENAI_TEXT_STREAM = recorded('openai-text.stream.http').body;

/** The `data` of every event in {@link OPENAI_TEXT_STREAM}, in order. */
export const OPENAI_TEXT_STREAM_DATA: string[] = OPENAI_TEXT_STREAM.split('\n\n')
  .filter((block) => block.startsWith('data: '))
  .map((block) => block.slice('data: '.length));
