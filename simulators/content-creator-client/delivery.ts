/**
 * How a Content Creator sees an exchange through to its final answer: a 202 is followed by polling
 * the status URL (Content-Location, else Location) until it stops answering 202, and a 303 by a
 * GET of its Location, the client's own request and not a redirect the HTTP stack follows.
 */
import type { HttpClient, HttpResponse } from '../../src/http/client.js';

export interface DeliveryPolicy {
  poll202: boolean;
  follow303: boolean;
  signal?: AbortSignal;
}

const MAX_POLLS = 20;
/** Cap on Retry-After, so a Consumer asking for a long wait cannot stall a test run. */
const MAX_WAIT_MS = 200;

/** The final answer to a submission, or the interim one the policy stops at. */
export async function finalAnswer(http: HttpClient, first: HttpResponse, policy: DeliveryPolicy): Promise<HttpResponse> {
  let res = first;
  let statusUrl: string | undefined;
  for (let polls = 0; polls < MAX_POLLS; polls++) {
    if (res.status === 303 && policy.follow303 && res.headers['location']) {
      res = await get(http, new URL(res.headers['location'], res.url).toString(), policy.signal);
      continue;
    }
    // A poll answering 202 again need not repeat the status URL the submission named.
    const named = res.headers['content-location'] ?? res.headers['location'];
    if (res.status === 202 && named) statusUrl = new URL(named, res.url).toString();
    if (res.status === 202 && policy.poll202 && statusUrl) {
      await delay(retryAfterMs(res.headers['retry-after']), policy.signal);
      res = await get(http, statusUrl, policy.signal);
      continue;
    }
    return res;
  }
  return res;
}

function get(http: HttpClient, url: string, signal: AbortSignal | undefined): Promise<HttpResponse> {
  return http.request({ method: 'GET', url, headers: { accept: 'application/fhir+json' }, followRedirects: false, ...(signal ? { signal } : {}) });
}

function retryAfterMs(header: string | undefined): number {
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds * 1000, MAX_WAIT_MS) : 50;
}

function delay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
