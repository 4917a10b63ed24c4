/**
 * A target under measurement (the bare proxy or a Z-AI build) as the bench drives it: where to
 * send, with what model and key, and the one checked request per mode before any load.
 */
import type { Mode } from './modes.js';
import type { Child } from './processes.js';
import type { Target } from './report.js';
import type { RunningZai } from './zai.js';

export interface Endpoint {
  target: Target;
  origin: string;
  model: string;
  authorization: string;
  child: Child;
  /** For Z-AI: the process, the answers it gave and the requests wrk cut off, to compare with its usage rows. */
  zai: { running: RunningZai; answered: number; cutOff: number } | undefined;
  /** Peak RSS under the highest concurrency (KiB, max over its cases), of the modes the RSS bound judges. */
  peakRssKb: number;
  /** The same over the modes it does not judge (`rssJudged: false`, e.g. the agent's large body); 0 if none ran. */
  unjudgedPeakRssKb: number;
}

/** Whether an endpoint takes a mode: a `zaiOnly` mode runs on the Z-AI builds alone. */
export function serves(endpoint: Endpoint, mode: Mode): boolean {
  return mode.zaiOnly === undefined || endpoint.zai !== undefined;
}

/** One request per mode through an endpoint, checked in full before any load. */
export async function sanityCheck(endpoint: Endpoint, mode: Mode): Promise<void> {
  const res = await fetch(`${endpoint.origin}${mode.path}`, {
    method: 'POST',
    headers: { authorization: endpoint.authorization, 'content-type': 'application/json' },
    body: mode.body(endpoint.model),
  });
  const problem = mode.check({
    status: res.status,
    text: await res.text(),
    model: endpoint.model,
    viaGateway: endpoint.zai !== undefined,
  });
  if (problem !== undefined) throw new Error(`${endpoint.target}, ${mode.name}: unexpected answer: ${problem}`);
  if (endpoint.zai) endpoint.zai.answered += 1;
}
