/** The fault proxy itself: relays bytes, and resets, black-holes or cuts one direction on demand. */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultProxy } from './fault-proxy.js';

let echo: net.Server;
let received: string[] = [];
let proxy: FaultProxy;

beforeAll(async () => {
  echo = net.createServer((socket) => {
    socket.on('error', () => {});
    socket.on('data', (d: Buffer) => {
      received.push(d.toString());
      socket.write(`echo:${d.toString()}`);
    });
  });
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  proxy = await FaultProxy.start({ host: '127.0.0.1', port: (echo.address() as net.AddressInfo).port });
});

afterAll(async () => {
  await proxy.close();
  await new Promise((resolve) => echo.close(resolve));
});

interface Conn {
  socket: net.Socket;
  text(): string;
  error(): string | undefined;
  closed(): boolean;
}

async function connect(): Promise<Conn> {
  const socket = net.connect(proxy.port, '127.0.0.1');
  let text = '';
  let error: string | undefined;
  let closed = false;
  socket.on('data', (d: Buffer) => (text += d.toString()));
  socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code));
  socket.on('close', () => (closed = true));
  // A reset may arrive before the connect event is seen.
  await new Promise<void>((resolve) => {
    socket.once('connect', resolve);
    socket.once('close', resolve);
  });
  return { socket, text: () => text, error: () => error, closed: () => closed };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, ms = 2000): Promise<void> {
  for (const start = Date.now(); !check(); await sleep(5)) if (Date.now() - start > ms) throw new Error('condition not met');
}

describe('FaultProxy', () => {
  it('relays both ways', async () => {
    const c = await connect();
    c.socket.write('a');
    await until(() => c.text() === 'echo:a');
    c.socket.destroy();
  });

  it('reset: open connections get a RST, new ones too, until healed', async () => {
    const c = await connect();
    c.socket.write('x');
    await until(() => c.text() === 'echo:x');
    proxy.reset();
    await until(() => c.closed());
    expect(c.error()).toBe('ECONNRESET');
    const refused = await connect();
    await until(() => refused.closed());
    expect(refused.error()).toBe('ECONNRESET');
    proxy.heal();
    const again = await connect();
    again.socket.write('y');
    await until(() => again.text() === 'echo:y');
    again.socket.destroy();
  });

  it('blackhole: silence both ways, new connections included; held bytes arrive at heal', async () => {
    received = [];
    const c = await connect();
    proxy.blackhole();
    c.socket.write('held');
    const late = await connect();
    late.socket.write('late');
    await sleep(150);
    expect(received).toEqual([]);
    expect(c.text()).toBe('');
    proxy.heal();
    await until(() => c.text() === 'echo:held' && late.text() === 'echo:late');
    c.socket.destroy();
    late.socket.destroy();
  });

  it("cut('replies'): the server gets the request, the client hears nothing until heal", async () => {
    received = [];
    const c = await connect();
    proxy.cut('replies');
    c.socket.write('commit');
    await until(() => received.includes('commit'));
    await sleep(100);
    expect(c.text()).toBe('');
    proxy.heal();
    await until(() => c.text() === 'echo:commit');
    c.socket.destroy();
  });

  it("cut('requests'): nothing reaches the server; a client that gives up is closed at heal", async () => {
    received = [];
    await until(() => proxy.connections === 0);
    const c = await connect();
    proxy.cut('requests');
    c.socket.write('lost');
    await sleep(100);
    expect(received).toEqual([]);
    c.socket.destroy();
    await sleep(50);
    expect(proxy.connections).toBe(1);
    proxy.heal();
    await until(() => proxy.connections === 0);
    // The held request went out before the close.
    expect(received).toEqual(['lost']);
  });
});
