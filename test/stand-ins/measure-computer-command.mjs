// The trigger command of a Measure Computer deployed outside the harness, the way a site runs one:
// it reads the harness's MC_* variables, asks its computing service (the URL given as the first
// argument) to compute the Measure for the period from the Data Source it names, and pushes the
// report to the Measure Consumer itself. It exits 1 when the service gives up or the Consumer
// refuses the report, as a client that reports errors through its exit status does.
//
// Habits of real computers, switched on by flags:
//   --silent                 does nothing and exits 0 (a trigger that never reaches the computer)
//   --period-end-last-second writes the period's end as the day's last second (R4's inclusive Period.end)
//   --strata-as-value        names strata with R4's stratum.value, which PublicHealthMeasureReport forbids
const [service, ...flags] = process.argv.slice(2);
const has = (flag) => flags.includes(flag);
if (has('--silent')) process.exit(0);

const vars = Object.fromEntries(Object.entries(process.env).filter(([name]) => name.startsWith('MC_')));
const computed = await fetch(service, { method: 'POST', body: JSON.stringify(vars) });
const text = await computed.text();
if (computed.status !== 200) {
  console.error(`the computer gave up on ${vars.MC_MEASURE_ID} (${computed.status}): ${text.slice(0, 300)}`);
  process.exit(1);
}

// The service's own id and version are no business of the Consumer.
const { id: _id, meta, ...report } = JSON.parse(text);
if (has('--period-end-last-second')) report.period.end = new Date(Date.parse(vars.MC_PERIOD_END) - 1000).toISOString().replace('.000Z', '+00:00');
if (has('--strata-as-value')) {
  for (const stratum of (report.group ?? []).flatMap((g) => g.stratifier ?? []).flatMap((s) => s.stratum ?? [])) {
    stratum.value = stratum.component[0].value;
    delete stratum.component;
  }
}
const pushed = await fetch(`${vars.MC_MEASURE_CONSUMER_URL}/MeasureReport`, {
  method: 'POST',
  headers: { 'content-type': 'application/fhir+json', accept: 'application/fhir+json' },
  body: JSON.stringify({ ...report, ...(meta?.profile ? { meta: { profile: meta.profile } } : {}) }),
});
if (pushed.status >= 300) {
  console.error(`the Measure Consumer refused the report of ${vars.MC_MEASURE_ID}: ${pushed.status} ${(await pushed.text()).slice(0, 300)}`);
  process.exit(1);
}
// Done: idle keep-alive connections to the Consumer must not hold the command open.
process.exit(0);
