/**
 * The report page. Everything from the run is inserted with `{{…}}` (escaped) or, inside <pre>, with the
 * `content` helper (escapes & < >); only our own CSS and JS use `{{{…}}}`.
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
<header class="top">
  <div class="inner">
    <div>
      <div class="eyebrow">FHIR R4 MeasureReport conformance report</div>
      <h1 id="sut-name">{{sut.name}}</h1>
      <div class="url">{{#if sut.baseUrl}}{{sut.baseUrl}}{{#if sut.simulated}} · reference simulators{{/if}}{{else}}{{#if sut.simulated}}each suite against its reference simulator (targets listed with the tests){{else}}no base URL{{/if}}{{/if}}</div>
      <dl>
        <dt>Run started</dt><dd>{{runDate}}</dd>
        <dt>Finished</dt><dd>{{finishedAt}}</dd>
        <dt>Duration</dt><dd>{{duration}}</dd>
        <dt>Harness</dt><dd>{{harness}}</dd>
      </dl>
    </div>
    <div class="overall v-{{overall.verdict}}" id="overall" data-verdict="{{overall.verdict}}">
      <div class="k">Overall verdict</div>
      <div class="v">{{overall.label}}</div>
    </div>
  </div>
</header>
<main>
{{#if interrupted}}
<div class="banner" role="alert" id="interrupted">This run was interrupted before every selected test ran: the verdicts below cover only the tests that ran.</div>
{{/if}}

<section id="summary">
  <h2>Summary</h2>
  <div class="subhead">Tests ({{totalTests}})</div>
  <div class="cards" id="test-counts">
    {{#each testCounts}}<div class="card v-{{verdict}}" data-verdict="{{verdict}}"><span class="n">{{count}}</span><span class="l">{{label}}</span></div>{{/each}}
  </div>
  <div class="subhead">Requirements ({{totalRequirements}})</div>
  <div class="cards" id="requirement-counts">
    {{#each requirementCounts}}<div class="card v-{{verdict}}" data-verdict="{{verdict}}"><span class="n">{{count}}</span><span class="l">{{label}}</span></div>{{/each}}
  </div>
  {{#if capabilities.length}}
  <div class="subhead">Per CapabilityStatement: requirements passed</div>
  <table class="caps" id="capability-summary">
    <thead><tr><th>CapabilityStatement</th><th>SHALL</th><th>SHOULD</th></tr></thead>
    <tbody>
    {{#each capabilities}}
      <tr data-capability="{{url}}">
        <td><a href="#{{anchor}}">{{title}}</a><div class="mono muted">{{url}}</div></td>
        <td><div class="share"><div class="bar shall" aria-hidden="true"><span style="width: {{shall.width}}%"></span></div><span class="t shall-share">{{shall.text}}</span></div></td>
        <td><div class="share"><div class="bar should" aria-hidden="true"><span style="width: {{should.width}}%"></span></div><span class="t should-share">{{should.text}}</span></div></td>
      </tr>
    {{/each}}
    </tbody>
  </table>
  {{/if}}
</section>

<div class="filters" id="filters" hidden>
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
    <span class="muted" id="filter-count"></span>
  </fieldset>
</div>

{{#*inline "requirementTable"}}
<table class="reqs">
  <caption>{{label}}</caption>
  <thead><tr><th style="width:14%">Requirement</th><th style="width:8%">Level</th><th>Statement</th><th style="width:10%">Verdict</th><th style="width:28%">Decided by</th></tr></thead>
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

{{#each capabilities}}
<section class="capability" id="{{anchor}}" data-filter-scope>
  <h2>{{title}}</h2>
  <p class="mono muted">{{url}} · {{requirementCount}} requirements · SHALL {{shall.text}} · SHOULD {{should.text}}</p>
  {{#each groups}}{{> requirementTable}}{{/each}}
  {{#unless groups.length}}<p class="empty-note">No requirement of this CapabilityStatement was in the run.</p>{{else}}<p class="empty-note" hidden>No requirement matches the filters.</p>{{/unless}}
</section>
{{/each}}

{{#if otherRequirementCount}}
<section id="other-requirements" data-filter-scope>
  <h2>Requirements without a CapabilityStatement</h2>
  {{#each otherRequirements}}{{> requirementTable}}{{/each}}
  <p class="empty-note" hidden>No requirement matches the filters.</p>
</section>
{{/if}}

<section id="tests" data-filter-scope>
  <h2>Tests and evidence</h2>
  {{#each suites}}
  <h3 id="{{anchor}}">{{title}} <span class="mono muted">{{id}}</span></h3>
  <p class="suite-meta">Actor under test: {{actorUnderTest}}, {{role}} · target <span class="mono">{{target}}</span> · {{duration}}{{#each counts}} · <span class="badge v-{{verdict}}">{{count}} {{label}}</span>{{/each}}</p>
  {{#each tests}}
  <details class="test" id="{{anchor}}" data-verdict="{{verdict}}" data-test-id="{{id}}">
    <summary><span class="badge v-{{verdict}}">{{label}}</span> <span class="title">{{title}}</span> <span class="ids mono">{{#each requirements}}{{this}} {{/each}}</span> <span class="dur">{{duration}}</span></summary>
    <div class="panel">
      <div class="mono muted">{{id}}</div>
      {{#if reason}}<p class="reason"><strong>Reason:</strong> {{reason}}</p>{{/if}}
      {{#if negativeControl}}<p class="muted">Negative control: fault mode <span class="mono">{{negativeControl}}</span> must make this test fail.</p>{{/if}}
      {{#if assertions.length}}
      <h4>Assertions</h4>
      <ul class="asserts">{{#each assertions}}<li><span class="{{#if passed}}ok{{else}}ko{{/if}}" aria-label="{{#if passed}}passed{{else}}failed{{/if}}">{{mark}}</span> {{message}}</li>{{/each}}</ul>
      {{/if}}
      {{#if exchanges.length}}
      <h4>HTTP exchanges</h4>
      {{#each exchanges}}
      <div class="exchange">
        <div class="line"><span class="method mono">{{method}}</span> <span class="u mono">{{url}}</span> <span class="status {{statusClass}}">{{status}}</span><span class="when">{{direction}} · {{timing}}</span></div>
        {{#if error}}<div class="xerr">Transport error: {{error}}</div>{{/if}}
        <div class="halves">
          <div class="request"><div class="k">Request</div>
            {{#if requestHeaders}}<pre class="h">{{content requestHeaders}}</pre>{{/if}}
            {{#if requestBody}}{{#if requestBody.note}}<div class="bodynote">{{requestBody.note}}</div>{{/if}}<pre class="body lang-{{requestBody.language}}">{{content requestBody.text}}</pre>{{else}}<div class="muted">no body</div>{{/if}}
          </div>
          <div class="response"><div class="k">Response</div>
            {{#if responseHeaders}}<pre class="h">{{content responseHeaders}}</pre>{{/if}}
            {{#if responseBody}}{{#if responseBody.note}}<div class="bodynote">{{responseBody.note}}</div>{{/if}}<pre class="body lang-{{responseBody.language}}">{{content responseBody.text}}</pre>{{else}}<div class="muted">no body</div>{{/if}}
          </div>
        </div>
      </div>
      {{/each}}
      {{/if}}
      {{#each validations}}
      <h4>Validation of <span class="subject">{{subject}}</span></h4>
      {{#if issues.length}}
      <table class="issues"><thead><tr><th>Severity</th><th>Location</th><th>Message</th><th>Rule</th></tr></thead><tbody>
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
    </div>
  </details>
  {{/each}}
  {{/each}}
  <p class="empty-note" hidden>No test matches the filters.</p>
</section>

<footer>Generated by {{harness}}. This file is self-contained: it loads nothing from the network and can be shared as is.</footer>
</main>
<script>{{{script}}}</script>
</body>
</html>
`;
