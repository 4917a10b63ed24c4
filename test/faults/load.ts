/**
 * Steady concurrent load for the fault suite: workers that send chat completions through the
 * official SDK in a loop and record every answer (status, error code, latency, reported cost).
 */
import OpenAI from 'openai';
import { sleep } from '../helpers/fake-upstream.js';
import type { Replica } from '../helpers/replicas.js';

export interface Answer {
  target: string;
  keyId: string;
  /** Epoch ms when the request was sent. */
  start: number;
  ms: number;
  /** HTTP status; 0 when no answer came (connection refused or reset, client timeout). */
  status: number;
  code: string | null;
  /** x-zai-cost-micro-usd of a success. */
  costMicro: number;
}

export class Load {
  readonly answers: Answer[] = [];
  readonly targets: string[] = [];
  private running = true;
  private readonly workers: Array<Promise<void>> = [];

  /** `workers` loops sending `model` requests with `key` to `replica`, recorded as `target`. */
  add(target: string, replica: Replica, key: { id: string; key: string }, model: string, workers: number): void {
    this.targets.push(target);
    const client = new OpenAI({ apiKey: key.key, baseURL: `${replica.url}/v1`, maxRetries: 0, timeout: 10_000 });
    for (let i = 0; i < workers; i++) this.workers.push(this.work(target, key.id, client, model));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.workers);
  }

  /** Answers per target and status, for the test's log. */
  summary(): string {
    const counts = new Map<string, number>();
    for (const x of this.answers) {
      const k = `${x.status}${x.code ? ` ${x.code}` : ''}`;
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    return [...counts].map(([k, n]) => `${n}× ${k}`).join(', ');
  }

  private async work(target: string, keyId: string, client: OpenAI, model: string): Promise<void> {
    while (this.running) {
      const start = Date.now();
      let status = 0;
      let code: string | null = null;
      let costMicro = 0;
      try {
        const { response } = await client.chat.completions
          .create({ model, messages: [{ role: 'user', content: 'hi' }], max_tokens: 200 })
          .withResponse();
        status = response.status;
        costMicro = Number(response.headers.get('x-zai-cost-micro-usd'));
      } catch (err) {
        if (err instanceof OpenAI.APIError && err.status !== undefined) {
          status = err.status;
          code = typeof err.code === 'string' ? err.code : null;
        } else {
          code = err instanceof Error ? err.message : String(err);
        }
      }
      this.answers.push({ target, keyId, start, ms: Date.now() - start, status, code, costMicro });
      if (status !== 200) await sleep(25);
    }
  }
}
