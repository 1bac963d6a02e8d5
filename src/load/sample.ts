/**
 * A uniform sample of the answers over the whole load phase (reservoir sampling), validated once
 * the load is over so validation costs nothing while the load is measured.
 */
import type { Resource } from 'fhir/r4.js';
import { projectValidator, type ValidateResource } from '../fhir/codec.js';
import type { SampleOffer } from './scenario.js';

export interface SampleFinding {
  requirements: readonly string[];
  what: string;
  message: string;
  example: string;
}

export class AnswerSample {
  readonly #kept: SampleOffer[] = [];
  #offered = 0;

  constructor(
    readonly size: number,
    readonly random: () => number = Math.random,
  ) {}

  offer(item: SampleOffer): void {
    if (this.size <= 0 || item.text.length === 0) return;
    this.#offered++;
    if (this.#kept.length < this.size) this.#kept.push(item);
    else {
      const j = Math.floor(this.random() * this.#offered);
      if (j < this.size) this.#kept[j] = item;
    }
  }

  get kept(): number {
    return this.#kept.length;
  }

  /** Validates every kept answer against base R4 and its profiles; one finding per answer with errors. */
  async validate(validator: ValidateResource = projectValidator): Promise<SampleFinding[]> {
    const findings: SampleFinding[] = [];
    for (const item of this.#kept) {
      let resource: Resource;
      try {
        resource = JSON.parse(item.text) as Resource;
      } catch {
        continue;
      }
      if (resource?.resourceType !== item.type) continue;
      const errors = (await validator(resource, { profiles: [...item.profiles] })).filter((i) => i.severity === 'error' || i.severity === 'fatal');
      const first = errors[0];
      if (!first) continue;
      const rule = first.rule ? ` [${first.rule}]` : '';
      findings.push({
        requirements: item.requirements,
        what: item.what,
        message: `an answer to ${item.what} is not valid: ${first.expression ? `${first.expression}: ` : ''}${first.message}${rule}`,
        example: `${resource.resourceType}/${resource.id ?? '(no id)'} (${errors.length} error${errors.length === 1 ? '' : 's'})`,
      });
    }
    return findings;
  }
}
