/**
 * The Messages ingress's ClientCodec: a translated answer written as an Anthropic Message (JSON)
 * or as Anthropic's stream events.
 */
import type { ClientCodec } from '../../gateway/client-codec.js';
import { toMessageResponse } from './response.js';
import { MessagesStreamEncoder, type MessagesStreamOptions } from './stream-encoder.js';

export function messagesCodec(options: MessagesStreamOptions): ClientCodec {
  return {
    completion: (completion) => JSON.stringify(toMessageResponse(completion, options)),
    createStream: () => new MessagesStreamEncoder(options),
  };
}
