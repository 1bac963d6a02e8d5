/**
 * Re-indentation of JSON and XML bodies, run in the page when a body is opened (bodies are stored as
 * captured, once). Plain ES2017 source so it runs as is in any browser and, in the project's tests,
 * in Node. Both are lossless: JSON tokens (numbers such as 1.50, string escapes) stay as written,
 * and XML keeps every tag, attribute, comment and CDATA section; only whitespace between them changes.
 */
export const PRETTY_SOURCE = `
function indentJson(text) {
  var out = [];
  var depth = 0;
  var n = text.length;
  var i = 0;
  function pad(d) { return '\\n' + new Array(d + 1).join('  '); }
  while (i < n) {
    var c = text.charAt(i);
    if (c === '"') {
      var j = i + 1;
      while (j < n && text.charAt(j) !== '"') j += text.charAt(j) === '\\\\' ? 2 : 1;
      out.push(text.slice(i, j + 1));
      i = j + 1;
    } else if (c === ' ' || c === '\\n' || c === '\\r' || c === '\\t') {
      i++;
    } else if (c === '{' || c === '[') {
      var k = i + 1;
      while (k < n && /\\s/.test(text.charAt(k))) k++;
      if (text.charAt(k) === (c === '{' ? '}' : ']')) {
        out.push(c + text.charAt(k));
        i = k + 1;
      } else {
        depth++;
        out.push(c + pad(depth));
        i++;
      }
    } else if (c === '}' || c === ']') {
      depth = Math.max(0, depth - 1);
      out.push(pad(depth) + c);
      i++;
    } else if (c === ',') {
      out.push(',' + pad(depth));
      i++;
    } else if (c === ':') {
      out.push(': ');
      i++;
    } else {
      var e = i;
      while (e < n && ',:{}[]" \\n\\r\\t'.indexOf(text.charAt(e)) < 0) e++;
      out.push(text.slice(i, e));
      i = e;
    }
  }
  return out.join('');
}

function indentXml(text) {
  var tokens = text.match(/<!--[\\s\\S]*?-->|<!\\[CDATA\\[[\\s\\S]*?\\]\\]>|<\\?[\\s\\S]*?\\?>|<![^>]*>|<\\/?[^\\s<>"'\\/]+(?:[^>"']|"[^"]*"|'[^']*')*>|[^<]+|</g) || [];
  var lines = [];
  var depth = 0;
  var state = 'none';
  function pad(d) { return new Array(d + 1).join('  '); }
  for (var i = 0; i < tokens.length; i++) {
    var tok = tokens[i];
    if (tok.charAt(0) !== '<' || tok === '<') {
      var t = tok.trim();
      if (!t) continue;
      if (state === 'open' || state === 'text') { lines[lines.length - 1] += t; state = 'text'; }
      else { lines.push(pad(depth) + t); state = 'none'; }
    } else if (tok.charAt(1) === '/') {
      depth = Math.max(0, depth - 1);
      if (state === 'open' || state === 'text') lines[lines.length - 1] += tok;
      else lines.push(pad(depth) + tok);
      state = 'none';
    } else if (tok.charAt(1) === '!' && tok.indexOf('<![CDATA[') === 0 && (state === 'open' || state === 'text')) {
      lines[lines.length - 1] += tok;
      state = 'text';
    } else if (tok.charAt(1) === '?' || tok.charAt(1) === '!' || tok.slice(-2) === '/>') {
      lines.push(pad(depth) + tok);
      state = 'none';
    } else {
      lines.push(pad(depth) + tok);
      depth++;
      state = 'open';
    }
  }
  return lines.join('\\n');
}
`;
