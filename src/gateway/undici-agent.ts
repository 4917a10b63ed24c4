/**
 * The parts of undici the gateway uses (the Agent, its socket connector, its error classes), loaded
 * from their own files: see docs/performance.md, "Load only the parts of undici that are used". The
 * version is pinned exactly in package.json; the types come from the package's own declarations.
 */
import { createRequire } from 'node:module';
import type { Agent as UndiciAgent, buildConnector as UndiciBuildConnector, errors as UndiciErrors } from 'undici';

const require = createRequire(import.meta.url);

export const Agent = require('undici/lib/dispatcher/agent.js') as typeof UndiciAgent;
export const buildConnector = require('undici/lib/core/connect.js') as typeof UndiciBuildConnector;
export const undiciErrors = require('undici/lib/core/errors.js') as typeof UndiciErrors;
export type Agent = UndiciAgent;
