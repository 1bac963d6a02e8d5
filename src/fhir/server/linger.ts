import type { FastifyReply, FastifyRequest } from 'fastify';

/** How long the rest of a refused body is read and dropped before the connection is cut. */
export const LINGER_MS = 5_000;

/**
 * A request refused before its body was read (413 above the limit) still has bytes on the wire.
 * Closing at once, as fastify asks with `Connection: close`, leaves them unread, and the kernel's
 * reset to the still-sending client can destroy the 413 before the client reads it. So the rest of
 * the body is read and dropped instead, and the connection is cut only if it has not ended within
 * LINGER_MS (a client that never stops sending cannot hold it).
 */
export function drainRefusedBody(request: FastifyRequest, reply: FastifyReply): void {
  const raw = request.raw;
  if (raw.complete) return;
  reply.removeHeader('connection');
  const timer = setTimeout(() => raw.socket.destroy(), LINGER_MS);
  timer.unref();
  const done = () => clearTimeout(timer);
  raw.once('end', done);
  raw.once('close', done);
  raw.resume();
}
