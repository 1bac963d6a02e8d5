/**
 * Asynchronous answers (QRPH-58 2:3.58.4.2.1, digest §6 convention): in '202' mode a submission is
 * answered 202 with its status URL in Content-Location (and Location); the status URL answers 202
 * once more, then 303 to the result URL, whose GET gives the answer the request would have had.
 * In '303' mode the submission is answered 303 straight to the result URL. Status and result URLs
 * live as long as the server (their expiry is allowed, never required). A synchronous Consumer still
 * answers the '202' way a request that asks with `Prefer: respond-async` (digest §6.5), so a suite
 * can take the asynchronous path against the reference run.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { OperationOutcome } from 'fhir/r4.js';
import { contentTypeOf } from '../../src/fhir/negotiation.js';
import type { ContentConsumerFaults } from './faults.js';

export type AsyncMode = '202' | '303';

interface Job {
  status: number;
  headers: Record<string, string>;
  payload: unknown;
  polls: number;
}

/** Decided before any processing: these stay synchronous. */
const SYNCHRONOUS = new Set([401, 404, 405, 415, 501]);
const KEPT_HEADERS = ['content-type', 'location', 'etag', 'last-modified'];

function information(text: string): string {
  const outcome: OperationOutcome = { resourceType: 'OperationOutcome', issue: [{ severity: 'information', code: 'informational', diagnostics: text }] };
  return JSON.stringify(outcome);
}

function originOf(request: FastifyRequest): string {
  return `${request.protocol}://${request.headers.host ?? request.hostname}`;
}

function prefersAsync(request: FastifyRequest): boolean {
  const prefer = request.headers['prefer'];
  return (Array.isArray(prefer) ? prefer.join(',') : (prefer ?? '')).split(/[,;]/).some((p) => p.trim().toLowerCase() === 'respond-async');
}

export function asyncAnswers(app: FastifyInstance, configured: AsyncMode | false, faults: ContentConsumerFaults, isSubmission: (request: FastifyRequest) => boolean): void {
  const jobs = new Map<string, Job>();

  app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const mode = configured || (prefersAsync(request) ? '202' : false);
    if (!mode || !isSubmission(request) || SYNCHRONOUS.has(reply.statusCode) || reply.statusCode >= 500) return payload;
    const id = randomUUID();
    const headers: Record<string, string> = {};
    for (const name of KEPT_HEADERS) {
      const value = reply.getHeader(name);
      if (value !== undefined) headers[name] = String(value);
      reply.removeHeader(name);
    }
    jobs.set(id, { status: reply.statusCode, headers, payload, polls: 0 });
    const statusUrl = `${originOf(request)}/_async/${id}`;
    reply.header('content-type', contentTypeOf('json'));
    if (mode === '303') {
      reply.code(303).header('location', `${statusUrl}/result`);
      return information('the outcome is at the Location URL');
    }
    reply.code(202);
    if (!faults.has('async-no-content-location')) reply.header('content-location', statusUrl).header('location', statusUrl);
    return information('accepted for processing; poll the Content-Location URL for the outcome');
  });

  app.get('/_async/:id', async (request, reply) => {
    const { id } = request.params as { id: string };
    const job = jobs.get(id);
    const statusUrl = `${originOf(request)}/_async/${id}`;
    reply.header('content-type', contentTypeOf('json'));
    if (!job) return reply.code(404).send(information('no such status URL (it may have expired)'));
    if (faults.has('redirect-loop')) return reply.code(303).header('location', statusUrl).send('');
    job.polls += 1;
    if (job.polls === 1) return reply.code(202).header('retry-after', '0').send(information('still processing'));
    return reply.code(303).header('location', `${statusUrl}/result`).send('');
  });

  app.get('/_async/:id/result', async (request, reply) => {
    const job = jobs.get((request.params as { id: string }).id);
    if (!job) return reply.code(404).header('content-type', contentTypeOf('json')).send(information('no such result URL (it may have expired)'));
    return reply.code(job.status).headers(job.headers).send(job.payload);
  });
}
