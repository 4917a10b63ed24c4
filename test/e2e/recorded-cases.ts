/**
 * What each recorded provider answer in test/fixtures/recorded must read as through Z-AI with the
 * official `openai` SDK: text, reasoning (`reasoning_content`), tool calls (arguments parsed),
 * finish reason and usage, with the request fields the case adds.
 */
export interface Expected {
  text: string | null;
  reasoning?: string;
  toolCalls?: Array<{ name: string; arguments: unknown; id?: string }>;
  finish: string;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

export interface RecordedCase {
  /** `<provider>/<file>` under test/fixtures/recorded, without `.http`. */
  recording: string;
  /** Extra request fields (tools, reasoning_effort…). */
  request?: Record<string, unknown>;
  expect: Expected;
}

const WEATHER_TOOL = {
  type: 'function' as const,
  function: { name: 'get_weather', parameters: { type: 'object', properties: { location: { type: 'string' } } } },
};
const TOOLS = { tools: [WEATHER_TOOL] };

export const RECORDED_CASES: RecordedCase[] = [
  // OpenAI (recorded by openai-python from the live API)
  {
    recording: 'openai/text.stream',
    expect: {
      text: "I'm unable to provide real-time weather updates. To get the current weather in San Francisco, I recommend checking a reliable weather website or a weather app.",
      finish: 'stop',
      usage: { prompt_tokens: 14, completion_tokens: 30, total_tokens: 44 },
    },
  },
  {
    recording: 'openai/tool-call.stream',
    request: TOOLS,
    expect: {
      text: null,
      toolCalls: [
        {
          name: 'GetWeatherArgs',
          arguments: { city: 'Edinburgh', country: 'UK', units: 'c' },
          id: 'call_c91SqDXlYFuETYv8mUHzz6pp',
        },
      ],
      finish: 'tool_calls',
      usage: { prompt_tokens: 76, completion_tokens: 24, total_tokens: 100 },
    },
  },
  {
    recording: 'openai/text.response',
    expect: {
      text: "I'm unable to provide real-time weather updates. To find out the current weather in San Francisco, please check a reliable weather website or app.",
      finish: 'stop',
      usage: { prompt_tokens: 14, completion_tokens: 28, total_tokens: 42 },
    },
  },
  // Anthropic
  {
    recording: 'anthropic/text.stream',
    expect: { text: 'Hello there!', finish: 'stop', usage: { prompt_tokens: 11, completion_tokens: 6, total_tokens: 17 } },
  },
  {
    recording: 'anthropic/tool-call.stream',
    request: TOOLS,
    expect: {
      text: "I'll check the current weather in Paris for you.",
      toolCalls: [{ name: 'get_weather', arguments: { location: 'Paris' }, id: 'toolu_01NRLabsLyVHZPKxbKvkfSMn' }],
      finish: 'tool_calls',
      usage: { prompt_tokens: 377, completion_tokens: 65, total_tokens: 442 },
    },
  },
  {
    recording: 'anthropic/text.response',
    expect: {
      text: 'Hi! My name is Claude.',
      finish: 'stop',
      usage: { prompt_tokens: 2095, completion_tokens: 503, total_tokens: 2598 },
    },
  },
  {
    recording: 'anthropic/thinking.stream',
    request: { reasoning_effort: 'low' },
    expect: {
      text: 'The greatest common divisor of 1071 and 462 is **21**.',
      reasoning:
        'I need to find the GCD of 1071 and 462 using the Euclidean algorithm.\n\n1071 = 2 × 462 + 147\n462 = 3 × 147 + 21\n147 = 7 × 21 + 0\n\nSo GCD(1071, 462) = 21',
      finish: 'stop',
      usage: { prompt_tokens: 57, completion_tokens: 112, total_tokens: 169 },
    },
  },
  {
    recording: 'anthropic/thinking.response',
    request: { reasoning_effort: 'medium' },
    expect: {
      text: 'Based on my analysis...',
      reasoning: 'Let me analyze this step by step...',
      finish: 'stop',
      usage: { prompt_tokens: 40, completion_tokens: 228, total_tokens: 268 },
    },
  },
  {
    recording: 'anthropic/tool-input-whole.stream',
    request: TOOLS,
    expect: {
      text: null,
      toolCalls: [
        {
          name: 'get_weather',
          arguments: { location: 'San Francisco, CA', unit: 'celsius' },
          id: 'toolu_01A09q90qw90lq917835lq9',
        },
      ],
      finish: 'tool_calls',
      usage: { prompt_tokens: 412, completion_tokens: 57, total_tokens: 469 },
    },
  },
  {
    recording: 'anthropic/message-start-tool-use.stream',
    request: TOOLS,
    expect: {
      text: null,
      toolCalls: [
        {
          name: 'query_database',
          arguments: { sql: 'SELECT region, SUM(revenue) FROM sales GROUP BY region' },
          id: 'toolu_01QueryDb',
        },
      ],
      finish: 'tool_calls',
      usage: { prompt_tokens: 1530, completion_tokens: 41, total_tokens: 1571 },
    },
  },
  // Gemini
  {
    recording: 'gemini/text.stream',
    expect: {
      text: 'The capital of France is Paris. It is known for the Eiffel Tower and the Louvre.',
      finish: 'stop',
      // Gemini's thoughtsTokenCount is billed as output: completion = candidates + thoughts.
      usage: { prompt_tokens: 9, completion_tokens: 359, total_tokens: 368 },
    },
  },
  {
    recording: 'gemini/tool-call.stream',
    request: TOOLS,
    expect: {
      text: null,
      toolCalls: [{ name: 'get_current_temperature', arguments: { location: 'London' } }],
      finish: 'tool_calls',
      usage: { prompt_tokens: 56, completion_tokens: 81, total_tokens: 137 },
    },
  },
  {
    recording: 'gemini/text.response',
    expect: {
      text: 'AI learns patterns from lots of examples, then uses them to make predictions about new data.',
      finish: 'stop',
      usage: { prompt_tokens: 8, completion_tokens: 19, total_tokens: 27 },
    },
  },
  {
    recording: 'gemini/thinking.stream',
    request: { reasoning_effort: 'low' },
    expect: {
      text: "A piano has keys but can't open locks.",
      reasoning: "**Analyzing the riddle**\n\nI'm looking at what has keys but can't open locks.",
      finish: 'stop',
      usage: { prompt_tokens: 12, completion_tokens: 59, total_tokens: 71 },
    },
  },
  {
    recording: 'gemini/partial-args.stream',
    request: TOOLS,
    expect: {
      text: null,
      toolCalls: [{ name: 'get_weather', arguments: { location: 'San Francisco, CA', unit: 'celsius', days: 3 } }],
      finish: 'tool_calls',
      usage: { prompt_tokens: 74, completion_tokens: 26, total_tokens: 100 },
    },
  },
  {
    recording: 'gemini/function-call-id.response',
    request: TOOLS,
    expect: {
      text: null,
      toolCalls: [{ name: 'get_current_temperature', arguments: { location: 'Paris' }, id: 'fc_8f3k2m' }],
      finish: 'tool_calls',
      usage: { prompt_tokens: 41, completion_tokens: 16, total_tokens: 57 },
    },
  },
  // Groq
  {
    recording: 'groq/text.stream',
    expect: {
      text: 'Hola, ¿cómo estás hoy?',
      finish: 'stop',
      usage: { prompt_tokens: 55, completion_tokens: 8, total_tokens: 63 },
    },
  },
  {
    recording: 'groq/tool-call.stream',
    request: TOOLS,
    expect: {
      text: null,
      toolCalls: [{ name: 'test-tool', arguments: { value: 'Sparkle Day' }, id: 'call_O17Uplv4lJvD6DVdIvFFeRMw' }],
      finish: 'tool_calls',
      usage: { prompt_tokens: 18, completion_tokens: 439, total_tokens: 457 },
    },
  },
  {
    recording: 'groq/text.response',
    expect: {
      text: '"Hola, ¿cómo estás hoy" or more commonly in informal settings: "Hola, ¿qué onda hoy". \n\nIf you want it to be a more formal conversation, you could use: "Buenos días, ¿cómo está hoy?"',
      finish: 'stop',
      usage: { prompt_tokens: 55, completion_tokens: 55, total_tokens: 110 },
    },
  },
  {
    recording: 'groq/reasoning.response',
    expect: {
      text: 'The sky looks blue because air scatters short wavelengths more.',
      reasoning: 'Rayleigh scattering: intensity goes with 1/λ⁴, so blue light scatters most.',
      finish: 'stop',
      usage: { prompt_tokens: 80, completion_tokens: 52, total_tokens: 132 },
    },
  },
  // Mistral
  {
    recording: 'mistral/text.stream',
    expect: {
      text: 'The best French cheese is a matter of taste.',
      finish: 'stop',
      usage: { prompt_tokens: 10, completion_tokens: 14, total_tokens: 24 },
    },
  },
  {
    // No role on the first chunk, tool calls without index or type.
    recording: 'mistral/tool-call.stream',
    request: TOOLS,
    expect: {
      text: null,
      toolCalls: [
        { name: 'retrieve_payment_status', arguments: { transaction_id: 'T1001' }, id: 'D681PevKs' },
        { name: 'retrieve_payment_date', arguments: { transaction_id: 'T1001' }, id: '8QKpNjT4a' },
      ],
      finish: 'tool_calls',
      usage: { prompt_tokens: 178, completion_tokens: 50, total_tokens: 228 },
    },
  },
  {
    recording: 'mistral/text.response',
    expect: {
      text: 'The best French cheese depends on individual preferences. Some popular ones include Brie, Camembert and Roquefort.',
      finish: 'stop',
      usage: { prompt_tokens: 16, completion_tokens: 34, total_tokens: 50 },
    },
  },
  {
    recording: 'mistral/tool-call.response',
    request: TOOLS,
    expect: {
      text: '',
      toolCalls: [{ name: 'retrieve_payment_status', arguments: { transaction_id: 'T1001' }, id: 'D681PevKs' }],
      finish: 'tool_calls',
      usage: { prompt_tokens: 153, completion_tokens: 23, total_tokens: 176 },
    },
  },
  {
    recording: 'mistral/thinking.response',
    expect: {
      text: 'There are **3** r\'s in "strawberry".',
      reasoning: "The user asks how many r's are in strawberry. s-t-r-a-w-b-e-r-r-y: r at 3, 8, 9.",
      finish: 'stop',
      usage: { prompt_tokens: 23, completion_tokens: 120, total_tokens: 143 },
    },
  },
  {
    recording: 'mistral/thinking.stream',
    expect: {
      text: '2 + 2 = **4**.',
      reasoning: '2 + 2: adding two and two gives four.',
      finish: 'stop',
      usage: { prompt_tokens: 12, completion_tokens: 40, total_tokens: 52 },
    },
  },
  // Together
  {
    recording: 'together/text.stream',
    expect: {
      text: 'Ocean waves whisper.',
      finish: 'stop',
      usage: { prompt_tokens: 41, completion_tokens: 4, total_tokens: 45 },
    },
  },
  {
    recording: 'together/tool-call.stream',
    request: TOOLS,
    expect: {
      text: null,
      toolCalls: [
        {
          name: 'get_current_weather',
          arguments: { location: 'New York, NY', unit: 'fahrenheit' },
          id: 'call_3ps0mwqzyj6kq1o3kc0xgwb7',
        },
      ],
      finish: 'tool_calls',
      usage: { prompt_tokens: 213, completion_tokens: 26, total_tokens: 239 },
    },
  },
  {
    recording: 'together/text.response',
    expect: {
      text: 'Paris is the capital of France.',
      finish: 'stop',
      usage: { prompt_tokens: 40, completion_tokens: 8, total_tokens: 48 },
    },
  },
  // Fireworks
  {
    recording: 'fireworks/text.stream',
    expect: {
      text: 'Hello! How can I help?',
      finish: 'stop',
      usage: { prompt_tokens: 19, completion_tokens: 8, total_tokens: 27 },
    },
  },
  {
    recording: 'fireworks/tool-call.stream',
    request: TOOLS,
    expect: {
      text: null,
      toolCalls: [
        {
          name: 'get_financial_data',
          arguments: { metric: 'net_income', financial_year: '2022', company: 'Nike' },
          id: 'call_W4fHQuKrC8t1oDHRtrbgW9J6',
        },
      ],
      finish: 'tool_calls',
      usage: { prompt_tokens: 236, completion_tokens: 34, total_tokens: 270 },
    },
  },
  {
    recording: 'fireworks/text.response',
    expect: {
      text: 'The capital of France is Paris.',
      finish: 'stop',
      usage: { prompt_tokens: 17, completion_tokens: 7, total_tokens: 24 },
    },
  },
];
