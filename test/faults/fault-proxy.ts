/**
 * A loopback TCP proxy that injects network faults between Z-AI and a dependency (PostgreSQL,
 * Redis). Each accepted connection is relayed to the target byte for byte until a fault is set:
 *
 * - `reset()`: every open connection is reset (RST) on both sides, and new ones are reset as soon
 *   as they are accepted, until `heal()`.
 * - `blackhole()`: nothing passes in either direction, new connections included (they are accepted
 *   and held), as when packets are dropped: both ends keep their state and see silence.
 * - `cut('replies' | 'requests')`: one direction is held, the other passes (a COMMIT reaches the
 *   server, its reply never comes back).
 *
 * Held bytes, ends and closes are delivered at `heal()`, as TCP's retransmissions would deliver them
 * once the path is back; an end that gave up meanwhile (closed its socket) closes the other end then.
 */
import net from 'node:net';

export type Direction = 'requests' | 'replies';

interface Side {
  socket: net.Socket;
  /** Bytes towards this side, held while its direction is cut. */
  held: Buffer[];
  /** The other side ended or closed while this direction was cut: deliver it at heal. */
  endHeld: 'end' | 'destroy' | undefined;
}

interface Pair {
  client: Side;
  server: Side;
}

export class FaultProxy {
  private readonly pairs = new Set<Pair>();
  /** Sees every chunk before it is relayed (or held), e.g. to cut the replies from the moment a COMMIT goes out. */
  tap: ((direction: Direction, chunk: Buffer) => void) | undefined;
  private resetting = false;
  /** Directions held now. */
  private readonly cutDirections = new Set<Direction>();

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  /** Listens on a free loopback port and relays to `target`. */
  static async start(target: { host: string; port: number }): Promise<FaultProxy> {
    const pending: net.Socket[] = [];
    let accept = (socket: net.Socket): void => void pending.push(socket);
    const server = net.createServer((socket) => accept(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const proxy = new FaultProxy(server, (server.address() as net.AddressInfo).port, target);
    accept = (socket) => proxy.accept(socket);
    for (const socket of pending) proxy.accept(socket);
    return proxy;
  }

  /** `url` with its host and port replaced by this proxy's. */
  rewrite(url: string): string {
    const u = new URL(url);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString();
  }

  /** Connections open now (for tests of the proxy itself). */
  get connections(): number {
    return this.pairs.size;
  }

  reset(): void {
    this.resetting = true;
    for (const pair of [...this.pairs]) this.resetPair(pair);
  }

  blackhole(): void {
    this.cutDirections.add('requests');
    this.cutDirections.add('replies');
  }

  cut(direction: Direction): void {
    this.cutDirections.add(direction);
  }

  /** Ends every fault: held bytes and closes are delivered, new connections pass again. */
  heal(): void {
    this.resetting = false;
    this.cutDirections.clear();
    for (const pair of [...this.pairs]) {
      this.release(pair.server, pair.client);
      this.release(pair.client, pair.server);
    }
  }

  async close(): Promise<void> {
    for (const pair of [...this.pairs]) {
      pair.client.socket.destroy();
      pair.server.socket.destroy();
    }
    this.pairs.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: net.Socket): void {
    socket.on('error', () => {});
    if (this.resetting) {
      socket.resetAndDestroy();
      return;
    }
    const upstream = net.connect(this.target.port, this.target.host);
    upstream.on('error', () => {});
    const pair: Pair = {
      client: { socket, held: [], endHeld: undefined },
      server: { socket: upstream, held: [], endHeld: undefined },
    };
    this.pairs.add(pair);
    // Requests flow client → server; replies server → client.
    this.relay(pair, pair.client, pair.server, 'requests');
    this.relay(pair, pair.server, pair.client, 'replies');
  }

  private relay(pair: Pair, from: Side, to: Side, direction: Direction): void {
    from.socket.on('data', (chunk: Buffer) => {
      this.tap?.(direction, chunk);
      if (this.cutDirections.has(direction)) to.held.push(chunk);
      else if (!to.socket.destroyed) to.socket.write(chunk);
    });
    from.socket.on('end', () => {
      if (this.cutDirections.has(direction)) to.endHeld ??= 'end';
      else to.socket.end();
    });
    from.socket.on('close', () => {
      // Bytes already written still go out first.
      if (this.cutDirections.has(direction)) to.endHeld = 'destroy';
      else to.socket.destroySoon();
      if (to.socket.destroyed) this.pairs.delete(pair);
    });
  }

  /** Delivers what was held for `to` (coming from `from`). */
  private release(from: Side, to: Side): void {
    if (to.socket.destroyed) return;
    for (const chunk of to.held.splice(0)) to.socket.write(chunk);
    const end = to.endHeld;
    to.endHeld = undefined;
    if (end === 'end') to.socket.end();
    // The other end gave up meanwhile: the bytes held for this one go first, then it closes.
    if (end === 'destroy' || from.socket.destroyed) to.socket.destroySoon();
  }

  private resetPair(pair: Pair): void {
    this.pairs.delete(pair);
    for (const side of [pair.client, pair.server]) {
      side.held = [];
      if (!side.socket.destroyed) side.socket.resetAndDestroy();
    }
  }
}
