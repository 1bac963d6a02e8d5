/**
 * The report page. Everything from the run is inserted with `{{…}}` (escaped); only our own CSS and
 * JS use `{{{…}}}`, and the evidence pack is base64 (no markup can hide in it). Sections marked
 * `data-print="summary"` make the summary print; the rest prints only in the full print.
 */
export const TEMPLATE = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src '{{scriptHash}}'; img-src data:">
<meta name="generator" content="{{harness}}">
<title>{{title}}</title>
<style>{{{style}}}</style>
</head>
<body>
<header class="top" data-print="summary">
  <div class="inner">
    <div class="who">
      <div class="eyebrow">FHIR R4 MeasureReport conformance report</div>
      <h1 id="sut-name">{{sut.name}}</h1>
      <div class="url" id="sut-where">{{facts.where}}</div>
      <dl id="run-facts">
        {{#if facts.software}}<dt>SUT software</dt><dd id="sut-software">{{facts.software}}</dd>{{/if}}
        {{#if facts.claimed.length}}<dt>Claims</dt><dd id="claims">{{#each facts.claimed}}{{#if @index}}; {{/if}}{{this}}{{/each}}</dd>{{/if}}
        {{#if facts.notClaimed.length}}<dt>Not claimed</dt><dd id="not-claimed">{{#each facts.notClaimed}}{{#if @index}}; {{/if}}{{this}}{{/each}}</dd>{{/if}}
        {{#if facts.dataSets}}<dt>Data</dt><dd id="data-sets">{{facts.dataSets}} (per suite with the tests)</dd>{{/if}}
        {{#if facts.writes}}<dt>Written into the SUT</dt><dd id="writes-summary">{{facts.writes.summary}}{{#if writes.length}} (<a href="#run-writes">list</a>){{/if}}</dd>{{/if}}
        <dt>Run started</dt><dd>{{runDate}}</dd>
        <dt>Duration</dt><dd>{{duration}} (finished {{finishedAt}})</dd>
        <dt>Harness</dt><dd>{{harness}}</dd>
        {{#if facts.ruleSets.length}}<dt>IG rule sets</dt><dd id="rule-sets">{{#each facts.ruleSets}}{{#if @index}}; {{/if}}{{this}}{{/each}}</dd>{{/if}}
        <dt>results.json</dt><dd class="hash mono" id="results-hash">{{facts.resultsHash}}</dd>
      </dl>
    </div>
    <div class="side">
      <div class="overall v-{{overall.verdict}}" id="overall" data-verdict="{{overall.verdict}}">
        <div class="k">Overall verdict</div>
        <div class="v">{{overall.label}}</div>
      </div>
      <div class="print-choice noprint" id="print-choice" hidden>Print <button type="button" data-print-mode="summary" title="Header, readiness, changes, and what needs attention">Summary</button> <button type="button" data-print-mode="full" title="Every requirement and test; HTTP headers and bodies of the tests that did not pass">Full report</button></div>
    </div>
  </div>
</header>
<main>
<noscript><div class="banner info">HTTP exchanges are packed into this file and show with JavaScript on; results.json next to it holds them too. Everything else reads as is.</div></noscript>
{{#if facts.assumption}}<div class="banner" role="note" id="assumption" data-print="summary">Assumed: {{facts.assumption}}</div>{{/if}}
{{#if interrupted}}
<div class="banner" role="alert" id="interrupted" data-print="summary">This run was interrupted before every selected test ran: the verdicts below cover only the tests that ran.</div>
{{/if}}

<section id="readiness" data-print="summary">
  <h2>Readiness</h2>
  <table class="matrix stack" id="readiness-matrix">
    <thead><tr><th class="c-name">Actor or option</th><th class="c-share">SHALL passed</th><th class="c-share">SHOULD passed</th><th class="c-fmt">JSON</th><th class="c-fmt">XML</th><th class="c-verdict">Verdict</th></tr></thead>
    <tbody>
    {{#each readiness}}
      <tr class="rr st-{{status}}{{#if greyed}} greyed{{/if}}" data-status="{{status}}">
        <th scope="row" class="rname">{{#if anchor}}<a href="#{{anchor}}">{{name}}</a>{{else}}{{name}}{{/if}}{{#if kind}} <span class="kind">{{kind}}</span>{{/if}}{{#if decision}}<span class="decision">{{decision}}</span>{{/if}}</th>
        {{#if greyed}}
        <td class="shall" data-label="SHALL"><span class="muted">—</span></td>
        <td class="should" data-label="SHOULD"><span class="muted">—</span></td>
        {{else}}
        <td class="shall" data-label="SHALL" data-passed="{{shall.passed}}" data-total="{{shall.total}}"><div class="share">{{#unless shall.empty}}<div class="bar shall" aria-hidden="true"><span style="width: {{shall.width}}%"></span></div>{{/unless}}<span class="t shall-share">{{shall.text}}</span></div></td>
        <td class="should" data-label="SHOULD" data-passed="{{should.passed}}" data-total="{{should.total}}"><div class="share">{{#unless should.empty}}<div class="bar should" aria-hidden="true"><span style="width: {{should.width}}%"></span></div>{{/unless}}<span class="t should-share">{{should.text}}</span></div></td>
        {{/if}}
        <td class="fmt json" data-label="JSON">{{#each json}}<span class="badge v-{{verdict}}">{{#if label}}{{label}}: {{/if}}{{text}}</span> {{else}}<span class="muted">—</span>{{/each}}</td>
        <td class="fmt xml" data-label="XML">{{#each xml}}<span class="badge v-{{verdict}}">{{#if label}}{{label}}: {{/if}}{{text}}</span> {{else}}<span class="muted">—</span>{{/each}}</td>
        <td class="rverdict" data-label="Verdict"><strong>{{verdict}}</strong>{{#if detail}}<span class="detail">{{detail}}</span>{{/if}}</td>
      </tr>
    {{/each}}
    </tbody>
  </table>
  <div class="counts">
    <div>
      <div class="subhead">Tests ({{totalTests}})</div>
      <div class="cards" id="test-counts">
        {{#each testCounts}}<div class="card v-{{verdict}}" data-verdict="{{verdict}}"><span class="n">{{count}}</span><span class="l">{{label}}</span></div>{{/each}}
      </div>
    </div>
    <div>
      <div class="subhead">Requirements ({{totalRequirements}})</div>
      <div class="cards" id="requirement-counts">
        {{#each requirementCounts}}<div class="card v-{{verdict}}" data-verdict="{{verdict}}"><span class="n">{{count}}</span><span class="l">{{label}}</span></div>{{/each}}
      </div>
    </div>
  </div>
</section>

{{#if changes}}
<section id="changes" data-print="summary">
  <h2>Changes since the previous run</h2>
  <p class="muted">Compared with {{changes.previous}}.</p>
  {{#if changes.note}}<p class="empty-note">{{changes.note}}</p>{{/if}}
  {{#if changes.none}}<p class="empty-note" id="no-changes">No requirement changed its verdict.</p>{{/if}}
  {{#*inline "changeTable"}}
  {{#if rows.length}}
  <table class="changes stack" id="{{id}}">
    <caption>{{label}} ({{rows.length}})</caption>
    <thead><tr><th>Requirement</th><th>Before</th><th>Now</th><th>Why</th></tr></thead>
    <tbody>
    {{#each rows}}<tr data-requirement="{{id}}"><td><a href="#req-{{id}}" class="mono">{{id}}</a> <span class="exp exp-{{expectation}}">{{expectation}}</span><span class="stmt">{{statement}}</span></td><td><span class="badge v-{{before}}">{{beforeLabel}}</span></td><td><span class="badge v-{{after}}">{{afterLabel}}</span></td><td class="why-cell">{{reason}}</td></tr>{{/each}}
    </tbody>
  </table>
  {{/if}}
  {{/inline}}
  {{> changeTable rows=changes.newFailures label="New failures" id="new-failures"}}
  {{> changeTable rows=changes.fixes label="Fixed" id="fixes"}}
  {{> changeTable rows=changes.changed label="Other changed verdicts" id="changed-verdicts"}}
</section>
{{/if}}

<section id="attention" data-print="summary">
  <h2>Needs attention ({{attention.length}})</h2>
  {{#if attention.length}}
  <table class="attention stack">
    <thead><tr><th>Verdict</th><th>Requirement</th><th>Why</th></tr></thead>
    <tbody>
    {{#each attention}}
      <tr data-verdict="{{verdict}}" data-requirement="{{id}}"><td><span class="badge v-{{verdict}}">{{label}}</span></td><td><a href="#req-{{id}}" class="mono">{{id}}</a> <span class="exp exp-{{expectation}}">{{expectation}}</span><span class="stmt">{{statement}}</span></td><td class="why-cell">{{#if anchor}}<a href="#{{anchor}}" class="test-link">{{reason}}</a>{{else}}{{reason}}{{/if}}</td></tr>
    {{/each}}
    </tbody>
  </table>
  {{else}}
  <p class="empty-note">Nothing failed, warned, broke or waits for a person's answer.</p>
  {{/if}}
</section>

{{#if applicability.length}}
<section id="run-applicability">
  <h2>What the run took the SUT to claim</h2>
  <table class="stack">
    <thead><tr><th>Actor or option</th><th>Decision</th><th>Decided from</th><th>Why</th></tr></thead>
    <tbody>
    {{#each applicability}}<tr class="{{#if greyed}}greyed{{/if}}"><td>{{name}} <span class="kind">{{kind}}</span></td><td data-label="Decision">{{claimed}}</td><td data-label="Decided from">{{source}}</td><td>{{reason}}</td></tr>{{/each}}
    </tbody>
  </table>
</section>
{{/if}}

{{#if writes.length}}
<section id="run-writes">
  <h2>What the run wrote into the SUT</h2>
  <p>{{facts.writes.summary}}.{{#if facts.writes.leftBehind}} <strong>{{facts.writes.leftBehind}} stayed in the SUT</strong>: see the notes.{{/if}}</p>
  <table class="stack">
    <thead><tr><th>Resource</th><th>Written by</th><th>How</th><th>Afterwards</th></tr></thead>
    <tbody>
    {{#each writes}}<tr class="{{#if leftBehind}}left-behind{{/if}}"><td class="mono">{{type}}/{{id}}</td><td class="mono" data-label="Written by">{{by}}</td><td data-label="How">{{interaction}}</td><td data-label="Afterwards">{{cleanup}}{{#if note}}<span class="detail">{{note}}</span>{{/if}}</td></tr>{{/each}}
    </tbody>
  </table>
</section>
{{/if}}

<div class="filters" id="filters" hidden>
  <div class="bar-main">
    <input type="search" id="search" placeholder="Search requirements and tests" aria-label="Search requirements and tests" autocomplete="off">
    <button type="button" id="filters-toggle" aria-expanded="false" aria-controls="filter-more">Filters</button>
    <span class="muted" id="filter-count"></span>
  </div>
  <div class="more" id="filter-more">
    <fieldset><legend>Verdict</legend>
      {{#each filters.verdicts}}<label><input type="checkbox" name="verdict" value="{{value}}" checked> <span class="badge v-{{value}}">{{label}}</span></label>{{/each}}
    </fieldset>
    <fieldset><legend>Expectation</legend>
      {{#each filters.expectations}}<label><input type="checkbox" name="expectation" value="{{value}}" checked> {{label}}</label>{{/each}}
    </fieldset>
    <fieldset>
      <button type="button" data-action="problems">Problems only</button>
      <button type="button" data-action="all">Show all</button>
      <button type="button" data-action="expand">Expand tests</button>
      <button type="button" data-action="collapse">Collapse tests</button>
    </fieldset>
  </div>
</div>

{{#*inline "requirementTable"}}
<table class="reqs stack">
  <caption>{{label}}</caption>
  <thead><tr><th class="c-id">Requirement</th><th class="c-lvl">Level</th><th>Statement</th><th class="c-v">Verdict</th><th class="c-by">Decided by</th></tr></thead>
  <tbody>
  {{#each rows}}
    <tr class="req" id="req-{{id}}" data-verdict="{{verdict}}" data-expectation="{{expectation}}">
      <td class="id mono">{{id}}</td>
      <td><span class="exp exp-{{expectation}}">{{expectation}}</span></td>
      <td>{{statement}}{{#if element}}<span class="el mono">{{element}}</span>{{/if}}<span class="src">{{source}}</span></td>
      <td><span class="badge v-{{verdict}}">{{label}}</span></td>
      <td>{{#if tests.length}}<ul>{{#each tests}}<li>{{#if anchor}}<a href="#{{anchor}}" class="test-link"><span class="badge v-{{verdict}}">{{label}}</span> {{title}}</a>{{else}}<span class="badge v-{{verdict}}">{{label}}</span> {{title}}{{/if}}</li>{{/each}}</ul>{{else}}<span class="muted">no test</span>{{/if}}{{#if notTestedReason}}<span class="why">Not tested: {{notTestedReason}}</span>{{/if}}</td>
    </tr>
  {{/each}}
  </tbody>
</table>
{{/inline}}

<div id="requirements">
{{#each capabilities}}
<section class="capability{{#if standing}} greyed{{/if}}" id="{{anchor}}" data-filter-scope data-capability="{{url}}" data-shall-passed="{{shall.passed}}" data-shall-total="{{shall.total}}" data-should-passed="{{should.passed}}" data-should-total="{{should.total}}">
  <h2>{{title}}</h2>
  <p class="mono muted cap-meta">{{url}} · {{requirementCount}} requirements · {{#if standing}}<span class="standing">{{standing}}</span>{{#if standingReason}}: {{standingReason}}{{/if}}{{else}}SHALL {{shall.text}} · SHOULD {{should.text}}{{/if}}</p>
  {{#each groups}}{{> requirementTable}}{{/each}}
  {{#unless groups.length}}<p class="empty-note">The catalogue holds no requirement of this CapabilityStatement.</p>{{else}}<p class="empty-note match-note" hidden>No requirement matches the filters.</p>{{/unless}}
</section>
{{/each}}

{{#if otherRequirementCount}}
<section id="other-requirements" data-filter-scope>
  <h2>Requirements without a CapabilityStatement</h2>
  {{#each otherRequirements}}{{> requirementTable}}{{/each}}
  <p class="empty-note match-note" hidden>No requirement matches the filters.</p>
</section>
{{/if}}
</div>

<section id="tests" data-filter-scope>
  <h2>Tests and evidence</h2>
  {{#each suites}}
  <h3 id="{{anchor}}">{{title}} <span class="mono muted">{{id}}</span></h3>
  <p class="suite-meta">Actor under test: {{actorUnderTest}}, {{role}} · target <span class="mono">{{target}}</span> · {{duration}}{{#each counts}} · <span class="badge v-{{verdict}}">{{count}} {{label}}</span>{{/each}}</p>
  {{#if dataSet}}<p class="suite-meta">Data set: {{dataSet}}</p>{{/if}}
  {{#if stopped}}<div class="banner" role="note">The suite stopped early: {{stopped}}</div>{{/if}}
  {{#if setupExchanges}}
  <details class="setup" data-group="setup-{{anchor}}"><summary>Suite setup: {{setupExchanges}} HTTP exchange(s){{#each setupNotes}} · {{this}}{{/each}}</summary><div class="exchanges" data-group="setup-{{anchor}}"><p class="muted nojs">Shown with JavaScript.</p></div></details>
  {{else}}{{#each setupNotes}}<div class="note">Setup: {{this}}</div>{{/each}}{{/if}}
  {{#each tests}}
  <details class="test" id="{{anchor}}" data-verdict="{{verdict}}" data-test-id="{{id}}">
    <summary><span class="badge v-{{verdict}}">{{label}}</span> <span class="title">{{title}}</span> <span class="ids mono">{{#each requirements}}{{this}} {{/each}}</span> <span class="dur">{{duration}}</span></summary>
    <div class="panel">
      <div class="mono muted">{{id}}</div>
      {{#if reason}}<p class="reason"><strong>Reason:</strong> {{reason}}</p>{{/if}}
      {{#if negativeControl}}<p class="muted">Negative control: fault mode <span class="mono">{{negativeControl}}</span> must make this test fail.</p>{{/if}}
      {{#if assertions.length}}
      <h4>Checks</h4>
      <ul class="asserts">{{#each assertions}}<li><span class="{{#if passed}}ok{{else}}ko{{/if}}" aria-label="{{#if passed}}passed{{else}}failed{{/if}}">{{mark}}</span> {{message}}{{#if decides}} <span class="mono muted">[{{decides}}]</span>{{/if}}</li>{{/each}}</ul>
      {{/if}}
      {{#each validations}}
      <h4>Validation of <span class="subject">{{subject}}</span></h4>
      {{#if issues.length}}
      <table class="issues stack"><thead><tr><th>Severity</th><th>Location</th><th>Message</th><th>Rule</th></tr></thead><tbody>
        {{#each issues}}<tr><td class="sev-{{severity}}">{{severity}}</td><td class="mono">{{expression}}</td><td>{{message}} <span class="muted">({{code}})</span></td><td class="mono">{{rule}}</td></tr>{{/each}}
      </tbody></table>
      {{else}}<p class="muted">No issues.</p>{{/if}}
      {{/each}}
      {{#each attestations}}
      <h4>Attestation of {{requirement}}</h4>
      <div class="note">{{question}}<br>Answer: <strong>{{answer}}</strong>, attested by {{by}}{{#if note}}. {{note}}{{/if}}</div>
      {{/each}}
      {{#if notes.length}}
      <h4>Notes</h4>
      {{#each notes}}<div class="note">{{this}}</div>{{/each}}
      {{/if}}
      {{#if exchangeCount}}
      <h4>HTTP exchanges</h4>
      <div class="exchanges" data-group="{{anchor}}"><p class="muted nojs">{{exchangeCount}} recorded; shown with JavaScript.</p></div>
      {{/if}}
    </div>
  </details>
  {{/each}}
  {{/each}}
  <p class="empty-note match-note" hidden>No test matches the filters.</p>
</section>

<footer>Generated by {{harness}}. This file is self-contained: it loads nothing from the network and can be shared as is. Its numbers come from results.json ({{facts.resultsHash}}).</footer>
</main>
<script type="application/octet-stream" id="evidence-pack" data-encoding="gzip+base64">{{{evidencePack}}}</script>
<script>{{{script}}}</script>
</body>
</html>
`;
