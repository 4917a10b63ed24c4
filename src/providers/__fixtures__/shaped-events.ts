/**
 * Test helper: events shaped like each provider's, with random and wrong values in their fields,
 * keyed by the provider case's name: they reach transform states no recorded fixture does.
 */
import fc from 'fast-check';
import type { SseEvent } from '../provider.js';
import { KNOWN_STREAM_EVENTS } from '../anthropic/schema.js';
import { ODD_VALUE } from './stream-damage.js';

/** Events shaped like each provider's, with random values: reaches states no fixture does. */
const SMALL_INDEX = fc.oneof(fc.integer({ min: -1, max: 3 }), fc.constantFrom<unknown>(1.5, '0', null, 2 ** 53));
export const SHAPED_EVENT: Record<string, fc.Arbitrary<SseEvent>> = {
  'openai-compatible': fc
    .record(
      {
        id: fc.oneof(fc.string({ maxLength: 8 }), ODD_VALUE),
        choices: fc.oneof(
          fc.array(
            fc.record(
              {
                index: SMALL_INDEX,
                delta: fc.oneof(
                  fc.record(
                    {
                      content: fc.oneof(fc.string({ maxLength: 10 }), ODD_VALUE),
                      tool_calls: fc.oneof(
                        fc.array(fc.record({ id: ODD_VALUE, index: SMALL_INDEX }), { maxLength: 2 }),
                        ODD_VALUE,
                      ),
                    },
                    { requiredKeys: [] },
                  ),
                  ODD_VALUE,
                ),
                finish_reason: fc.oneof(
                  fc.constantFrom<unknown>(null, 'stop', 'length', 'eos', 'error', 'model_length', '', 'tool_calls'),
                  ODD_VALUE,
                ),
              },
              { requiredKeys: [] },
            ),
            { maxLength: 3 },
          ),
          ODD_VALUE,
        ),
        usage: fc.oneof(
          fc.record({ prompt_tokens: ODD_VALUE, completion_tokens: ODD_VALUE, total_tokens: ODD_VALUE }, { requiredKeys: [] }),
          ODD_VALUE,
        ),
        x_groq: fc.oneof(fc.record({ usage: ODD_VALUE, error: ODD_VALUE }, { requiredKeys: [] }), ODD_VALUE),
        error: ODD_VALUE,
      },
      { requiredKeys: ['choices'] },
    )
    .chain((json) =>
      fc.record({
        event: fc.option(fc.constantFrom('error', 'message'), { nil: undefined, freq: 8 }),
        data: fc.constant(JSON.stringify(json)),
        id: fc.constant(undefined),
      }),
    ),
  anthropic: fc
    .record(
      {
        // Every event type the transform knows, and one Anthropic may add later.
        type: fc.constantFrom(...KNOWN_STREAM_EVENTS, 'future_event'),
        index: SMALL_INDEX,
        message: fc.record(
          {
            id: fc.oneof(fc.string({ maxLength: 6 }), ODD_VALUE),
            usage: fc.oneof(fc.record({ input_tokens: ODD_VALUE, output_tokens: fc.nat() }, { requiredKeys: [] }), ODD_VALUE),
          },
          { requiredKeys: [] },
        ),
        content_block: fc.record(
          {
            type: fc.constantFrom('text', 'tool_use', 'thinking', 'redacted_thinking'),
            text: fc.oneof(fc.string({ maxLength: 6 }), ODD_VALUE),
            id: fc.string({ maxLength: 6 }),
            name: fc.constantFrom('get_weather', 'city_report'),
            input: fc.oneof(fc.constant({}), ODD_VALUE),
          },
          { requiredKeys: ['type'] },
        ),
        delta: fc.record(
          {
            type: fc.constantFrom('text_delta', 'input_json_delta', 'thinking_delta'),
            text: fc.oneof(fc.string({ maxLength: 6 }), ODD_VALUE),
            partial_json: fc.oneof(fc.string({ maxLength: 6 }), ODD_VALUE),
            stop_reason: fc.oneof(fc.constantFrom('end_turn', 'tool_use', 'max_tokens', 'refusal'), ODD_VALUE),
          },
          { requiredKeys: [] },
        ),
        usage: fc.oneof(fc.record({ output_tokens: fc.oneof(fc.nat(), ODD_VALUE) }), ODD_VALUE),
        error: fc.oneof(
          fc.record(
            {
              type: fc.constantFrom('overloaded_error', 'api_error', 'x'),
              message: fc.oneof(fc.string({ maxLength: 6 }), ODD_VALUE),
            },
            { requiredKeys: [] },
          ),
          ODD_VALUE,
        ),
      },
      { requiredKeys: ['type'] },
    )
    .map((json) => ({ event: json.type, data: JSON.stringify(json), id: undefined })),
  gemini: fc
    .record(
      {
        candidates: fc.oneof(
          fc.array(
            fc.record(
              {
                index: SMALL_INDEX,
                finishReason: fc.oneof(fc.constantFrom('STOP', 'MAX_TOKENS', 'SAFETY', 'MALFORMED_FUNCTION_CALL', ''), ODD_VALUE),
                content: fc.record({
                  parts: fc.oneof(
                    fc.array(
                      fc.record(
                        {
                          text: fc.oneof(fc.string({ maxLength: 6 }), ODD_VALUE),
                          thought: fc.oneof(fc.boolean(), ODD_VALUE),
                          functionCall: fc.oneof(
                            fc.record({
                              name: fc.oneof(fc.constant('f'), ODD_VALUE),
                              args: fc.oneof(
                                fc.dictionary(fc.string({ maxLength: 3 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 2 }),
                                ODD_VALUE,
                              ),
                            }),
                            ODD_VALUE,
                          ),
                          thoughtSignature: ODD_VALUE,
                        },
                        { requiredKeys: [] },
                      ),
                      { maxLength: 3 },
                    ),
                    ODD_VALUE,
                  ),
                }),
              },
              { requiredKeys: [] },
            ),
            { maxLength: 3 },
          ),
          ODD_VALUE,
        ),
        promptFeedback: fc.oneof(fc.record({ blockReason: fc.oneof(fc.constantFrom('SAFETY', 'OTHER'), ODD_VALUE) }), ODD_VALUE),
        usageMetadata: fc.oneof(
          fc.record({ promptTokenCount: ODD_VALUE, candidatesTokenCount: fc.oneof(fc.nat(), ODD_VALUE) }, { requiredKeys: [] }),
          ODD_VALUE,
        ),
        responseId: fc.oneof(fc.string({ maxLength: 6 }), ODD_VALUE),
        error: fc.record(
          {
            code: ODD_VALUE,
            message: ODD_VALUE,
            status: fc.oneof(fc.constantFrom('UNAVAILABLE', 'INTERNAL', 'RESOURCE_EXHAUSTED'), ODD_VALUE),
            details: ODD_VALUE,
          },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: [] },
    )
    .map((json) => ({ event: undefined, data: JSON.stringify(json), id: undefined })),
};
SHAPED_EVENT['anthropic (response_format answer tool)'] = SHAPED_EVENT['anthropic'] as fc.Arbitrary<SseEvent>;
