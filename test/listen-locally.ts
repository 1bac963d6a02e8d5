// How the tests' own servers listen: on 127.0.0.1 only, at a port chosen at run time, and closing
// with their open connections, so a client's keep-alive never holds a test up.
import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export async function listenLocally(server: Server): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  // The TCP connection, under TLS too: destroying it ends the TLS socket on top.
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
