/**
 * Gemini's generateContent wire shapes (v1beta, camelCase JSON). Requests are plain interfaces we
 * build strictly (Gemini answers 400 to any unknown field); responses are zod schemas that parse
 * leniently (unknown fields are ignored, every field is optional) because Google adds fields often.
 *
 * @see https://ai.google.dev/api/generate-content
 */
import { z } from 'zod';
import { GatewayError } from '../../errors.js';

// ---- Request (what we send) ----

export interface GeminiFunctionCall {
  /** Gemini's own id for the call, echoed back (with the functionResponse's) when it gave one. */
  id?: string;
  name: string;
  args: Record<string, unknown>;
}

export interface GeminiPart {
  text?: string;
  inlineData?: { mimeType: string; data: string };
  functionCall?: GeminiFunctionCall;
  functionResponse?: { id?: string; name: string; response: Record<string, unknown> };
  /** Opaque, base64; must be replayed on the function call it came with (Gemini 3+). */
  thoughtSignature?: string;
}

export interface GeminiContent {
  role: 'user' | 'model';
  parts: GeminiPart[];
}

export interface GeminiFunctionDeclaration {
  name: string;
  description?: string;
  parametersJsonSchema?: Record<string, unknown>;
}

export interface GeminiTool {
  functionDeclarations: GeminiFunctionDeclaration[];
}

export interface GeminiToolConfig {
  functionCallingConfig: { mode: 'AUTO' | 'ANY' | 'NONE'; allowedFunctionNames?: string[] };
}

export interface GeminiGenerationConfig {
  temperature?: number;
  topP?: number;
  maxOutputTokens?: number;
  stopSequences?: string[];
  candidateCount?: number;
  seed?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  responseMimeType?: 'application/json';
  responseJsonSchema?: Record<string, unknown>;
  thinkingConfig?: GeminiThinkingConfig;
}

/** `thinkingBudget` for Gemini 2.x, `thinkingLevel` from Gemini 3 on (never both: that is a 400). */
export interface GeminiThinkingConfig {
  includeThoughts?: boolean;
  thinkingBudget?: number;
  thinkingLevel?: 'minimal' | 'low' | 'medium' | 'high';
}

export interface GeminiRequest {
  systemInstruction?: { parts: GeminiPart[] };
  contents: GeminiContent[];
  tools?: GeminiTool[];
  toolConfig?: GeminiToolConfig;
  generationConfig?: GeminiGenerationConfig;
}

// ---- Response (what we read) ----

/** One piece of a function call's arguments streamed by path (Vertex AI's streamFunctionCallArguments). */
const partialArgSchema = z.object({
  jsonPath: z.string(),
  stringValue: z.string().nullish(),
  numberValue: z.number().nullish(),
  boolValue: z.boolean().nullish(),
  nullValue: z.unknown().optional(),
  /** More of this path's string follows. */
  willContinue: z.boolean().nullish(),
});

const partSchema = z.object({
  text: z.string().nullish(),
  thought: z.boolean().nullish(),
  thoughtSignature: z.string().nullish(),
  functionCall: z
    .object({
      id: z.string().nullish(),
      // Absent on the later parts of a call streamed in pieces.
      name: z.string().nullish(),
      args: z.record(z.string(), z.unknown()).nullish(),
      partialArgs: z.array(partialArgSchema).nullish(),
      /** More parts of this call follow. */
      willContinue: z.boolean().nullish(),
    })
    .nullish(),
});

const candidateSchema = z.object({
  content: z.object({ parts: z.array(partSchema).nullish() }).nullish(),
  finishReason: z.string().nullish(),
  index: z.number().int().nullish(),
});

export const usageMetadataSchema = z.object({
  promptTokenCount: z.number().nullish(),
  cachedContentTokenCount: z.number().nullish(),
  candidatesTokenCount: z.number().nullish(),
  thoughtsTokenCount: z.number().nullish(),
  toolUsePromptTokenCount: z.number().nullish(),
  totalTokenCount: z.number().nullish(),
});

export const generateContentResponseSchema = z.object({
  candidates: z.array(candidateSchema).nullish(),
  promptFeedback: z.object({ blockReason: z.string().nullish() }).nullish(),
  usageMetadata: usageMetadataSchema.nullish(),
  responseId: z.string().nullish(),
});

export type GeminiResponsePart = z.infer<typeof partSchema>;
export type GeminiPartialArg = z.infer<typeof partialArgSchema>;
export type GeminiCandidate = z.infer<typeof candidateSchema>;
export type GeminiUsageMetadata = z.infer<typeof usageMetadataSchema>;
export type GenerateContentResponse = z.infer<typeof generateContentResponseSchema>;

/**
 * Validates an upstream 2xx body. A body we cannot read is the upstream's fault, not the client's:
 * 502 with failure 'protocol', so the gateway may try a fallback model.
 */
export function parseUpstream<T>(schema: z.ZodType<T>, json: unknown, what: string): T {
  const result = schema.safeParse(json);
  if (result.success) return result.data;
  throw new GatewayError({
    status: 502,
    type: 'upstream_error',
    code: 'upstream_error',
    message: `Gemini returned a ${what} the gateway could not read: ${z.prettifyError(result.error)}`,
    retryable: true,
    failure: 'protocol',
  });
}
