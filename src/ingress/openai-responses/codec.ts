/**
 * The Responses API as a client codec for the gateway's translated path: a chat completion is
 * answered as a response object, a chat stream as the Responses event stream.
 */
import type { ClientCodec } from '../../gateway/client-codec.js';
import { toResponse } from './response.js';
import { ResponsesStreamEncoder } from './stream.js';
import type { FunctionNames, ResponseEcho } from './types.js';

export function responsesCodec(echo: ResponseEcho, names: FunctionNames): ClientCodec {
  return {
    completion: (completion) => JSON.stringify(toResponse(completion, echo, names)),
    createStream: () => new ResponsesStreamEncoder(echo, names),
  };
}
