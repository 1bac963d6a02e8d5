// Figures for the FHIR formats: JSON<->XML conversion of a realistic ~15 KB MeasureReport, JSON
// parse/serialize with and without decimals that need their text kept, and the cost of the model.
// Run: node --import tsx bench/formats.bench.ts
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { MeasureReport, MeasureReportGroup } from 'fhir/r4.js';
import { loadModel } from '../src/fhir/model/index.js';
import { parseJson, serializeJson } from '../src/fhir/json.js';
import { parseXml, serializeXml } from '../src/fhir/xml.js';

const modelFile = fileURLToPath(new URL('../src/fhir/model/r4-model.json', import.meta.url));
const loadStart = performance.now();
const model = loadModel();
const loadMs = performance.now() - loadStart;

function rate(name: string, fn: () => unknown, seconds = 1.5): void {
  for (let i = 0; i < 200; i++) fn();
  let n = 0;
  const start = performance.now();
  const until = start + seconds * 1000;
  while (performance.now() < until) {
    for (let i = 0; i < 20; i++) fn();
    n += 20;
  }
  const perSecond = (n * 1000) / (performance.now() - start);
  console.log(`${name.padEnd(44)} ${Math.round(perSecond).toLocaleString('en-US').padStart(8)} /s`);
}

/** The fixture report grown to SANER size: more groups of populations, strata and decimals. */
function realisticReport(): string {
  const base = readFileSync(new URL('../fixtures/resources/measurereport-bed-capacity.json', import.meta.url), 'utf8');
  const report = parseJson(base) as MeasureReport;
  const groups = report.group ?? [];
  const template = JSON.stringify(groups[0]);
  for (let i = 0; serializeJson(report).length < 15_000; i++) {
    const group = JSON.parse(template.replaceAll('"beds"', `"beds-${i}"`)) as MeasureReportGroup;
    groups.push(group);
  }
  // Texts go through parseJson so the copies carry decimals such as 0.50 with their text.
  return serializeJson(report).replaceAll('"value":0.5,', '"value":0.50,');
}

const jsonText = realisticReport();
const resource = parseJson(jsonText);
const xmlText = serializeXml(resource);
const plainJson = jsonText.replace(/(\d)\.(\d*?)0+([,}\]])/g, '$1.$21$3').replace(/(\d)[eE]([+-]?\d+)/g, '$1');
const plainResource = parseJson(plainJson);

console.log(
  `model: ${(statSync(modelFile).size / 1024).toFixed(0)} KiB on disk, ${Object.keys(model.types).length} types, ` + `${model.constraints.length} constraints, first load ${loadMs.toFixed(1)} ms`,
);
console.log(
  `sample MeasureReport: ${jsonText.length.toLocaleString('en-US')} bytes JSON, ` + `${xmlText.length.toLocaleString('en-US')} bytes XML, ${(resource as MeasureReport).group?.length ?? 0} groups`,
);
console.log('(one core: Node runs each conversion on the main thread)');

rate('JSON text -> XML text (parse + serialize)', () => serializeXml(parseJson(jsonText)));
rate('XML text -> JSON text (parse + serialize)', () => serializeJson(parseXml(xmlText)));
rate('serializeXml (object -> XML)', () => serializeXml(resource));
rate('parseXml (XML -> object)', () => parseXml(xmlText));
rate('parseJson, decimals with kept text', () => parseJson(jsonText));
rate('parseJson, plain numbers (fast path)', () => parseJson(plainJson));
rate('JSON.parse, same text (reference)', () => JSON.parse(plainJson) as unknown);
rate('serializeJson', () => serializeJson(resource));
rate('serializeJson, plain numbers', () => serializeJson(plainResource));
rate('JSON.stringify (reference)', () => JSON.stringify(plainResource));
