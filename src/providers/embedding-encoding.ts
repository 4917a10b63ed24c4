/**
 * OpenAI's `encoding_format: "base64"` embeddings: the vector as little-endian float32 bytes, in
 * base64. openai-node asks for base64 by default and decodes it itself, so a gateway must produce
 * it even from upstreams that only return float arrays (docs/providers.md §1.9).
 *
 * @see https://platform.openai.com/docs/api-reference/embeddings/create
 */
import { GatewayError } from '../errors.js';

/** Encodes a float vector as base64 of little-endian float32 values (precision drops to float32, like OpenAI's). */
export function floatsToBase64(values: readonly number[]): string {
  const bytes = Buffer.allocUnsafe(values.length * 4);
  for (let i = 0; i < values.length; i += 1) {
    // Explicit little-endian: a Float32Array view would follow the host's byte order.
    bytes.writeFloatLE(values[i] ?? 0, i * 4);
  }
  return bytes.toString('base64');
}

/**
 * Decodes base64 little-endian float32 values back to numbers.
 *
 * @throws GatewayError (502, protocol) if the bytes are not a whole number of float32 values.
 */
export function base64ToFloats(base64: string): number[] {
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length % 4 !== 0) {
    throw new GatewayError({
      status: 502,
      code: 'upstream_error',
      message: `The upstream returned a base64 embedding of ${bytes.length} bytes, not a multiple of 4.`,
      failure: 'protocol',
      retryable: true,
    });
  }
  const values = new Array<number>(bytes.length / 4);
  for (let i = 0; i < values.length; i += 1) values[i] = bytes.readFloatLE(i * 4);
  return values;
}
