/**
 * The floor Z-AI is measured against: the least a Node reverse proxy can do. A `node:http` server
 * that forwards method, path, headers and body through one keep-alive `http.Agent` pool and pipes
 * the answer back unchanged (so a streamed answer is relayed chunk by chunk, unbuffered).
 * No auth, no parsing, no logging. Run as its own process; env UPSTREAM_URL, PORT (0 = any);
 * tells the parent its port over IPC: `{ type: 'ready', port }`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Hop-by-hop headers (RFC 9110 §7.6.1) belong to one connection and are never forwarded.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'proxy-authorization',
  'proxy-authenticate',
]);

function endToEnd(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  for (const name in headers) if (!HOP_BY_HOP.has(name)) out[name] = headers[name];
  return out;
}

export async function startBareProxy(upstreamUrl: string, port = 0): Promise<http.Server> {
  const upstream = new URL(upstreamUrl);
  const agent = new http.Agent({ keepAlive: true, keepAliveMsecs: 60_000, maxSockets: 256, scheduling: 'lifo' });
  const server = http.createServer({ keepAlive: true }, (req, res) => {
    const headers = endToEnd(req.headers);
    headers.host = upstream.host;
    const forward = http.request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, endToEnd(answer.headers));
        answer.pipe(res);
      },
    );
    forward.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' }).end('{"error":{"message":"bad gateway"}}');
      else res.destroy();
    });
    // A client that leaves aborts the upstream request.
    res.on('close', () => {
      if (!res.writableFinished) forward.destroy();
    });
    req.pipe(forward);
  });
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 130_000;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}

// Run as a child process by bench.ts.
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const target = process.env.UPSTREAM_URL;
  if (!target) throw new Error('UPSTREAM_URL is required');
  const server = await startBareProxy(target, Number(process.env.PORT ?? 0));
  const { port } = server.address() as AddressInfo;
  process.send?.({ type: 'ready', port });
}
