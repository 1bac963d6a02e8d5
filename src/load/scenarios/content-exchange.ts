/**
 * What the mADX and RPC scenarios share: an exchange seen through to its final answer, as a Content
 * Creator does (QRPH-58 2:3.58.4.2.1): a 202 is polled at its status URL (Content-Location, else
 * Location) and a 303 followed with a GET; each hop is a request of the load, and only the final
 * answer is held to the checks.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Answer } from '../checks.js';
import type { FlowContext, FlowRequest } from '../scenario.js';

const MAX_HOPS = 10;
/** Cap on Retry-After, so a Consumer asking for a long wait cannot stall the flow. */
const MAX_WAIT_MS = 200;
const INTERIM = [202, 303];

/** Sends `first` (which it marks as taking interim answers) and follows it to its final answer. */
export async function deliver(ctx: FlowContext, first: FlowRequest): Promise<Answer | undefined> {
  first.interim = INTERIM;
  let res = await ctx.send(first);
  let statusUrl: string | undefined;
  for (let hop = 0; res && INTERIM.includes(res.status); hop++) {
    if (res.status === 202) statusUrl = res.header('content-location') ?? res.header('location') ?? statusUrl;
    const next = res.status === 202 ? statusUrl : res.header('location');
    if (!next || hop === MAX_HOPS) {
      const why = next ? `no final answer after ${MAX_HOPS} polls and redirects` : `the ${res.status} answer names no URL to go on with`;
      ctx.fail(first.step, first.unanswered, `${first.what}: ${why}`, `${first.method} ${first.url} -> ${res.status}`);
      return undefined;
    }
    if (res.status === 202) await sleep(retryAfterMs(res.header('retry-after')));
    const { body: _sent, ...bodiless } = first;
    res = await ctx.send({ ...bodiless, step: 'poll', what: `GET the status URL of ${first.what}`, method: 'GET', url: next, interim: INTERIM });
  }
  return res;
}

function retryAfterMs(header: string | undefined): number {
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds * 1000, MAX_WAIT_MS) : 0;
}

/** The same for k6. */
export const K6_DELIVER = String.raw`
function deliver(step, what, method, url, body, checks, unanswered) {
  let res = send(step, what, method, url, body, checks, true);
  let statusUrl;
  for (let hop = 0; res.status === 202 || res.status === 303; hop++) {
    if (res.status === 202) statusUrl = header(res, 'content-location') || header(res, 'location') || statusUrl;
    const next = res.status === 202 ? statusUrl : header(res, 'location');
    if (!next || hop === 10) {
      check(res, { [unanswered.join(' ') + ' ' + what + ': a final answer']: () => false });
      return undefined;
    }
    if (res.status === 202) sleep(Math.min(Number(header(res, 'retry-after')) || 0, 0.2));
    res = send('poll', 'GET the status URL of ' + what, 'GET', next, null, checks, true);
  }
  return res;
}
`;
