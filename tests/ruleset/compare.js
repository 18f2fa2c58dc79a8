// Compares what Spectral and gatehop found with the same ruleset on the same file: each result
// as "rule severity path line", Spectral's severities mapped as gatehop maps them (hint is
// info), its 0-based lines made 1-based, its path arrays made JSON pointers. gatehop's own
// findings (HOP codes) are left out. Prints the differences; exits 1 when there are any.
// usage: node compare.js SPECTRAL.json GATEHOP.json LABEL
'use strict';
const fs = require('fs');
const [spectralFile, gatehopFile, label] = process.argv.slice(2);
const severities = ['error', 'warning', 'info', 'info'];
const pointer = (segs) => segs.map((s) => '/' + String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('');

function read(file) {
  const text = fs.readFileSync(file, 'utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    console.log(`${label}: ${file} is not JSON: ${text.slice(0, 300)}`);
    process.exit(1);
  }
}

const spectral = read(spectralFile)
  .filter((r) => r.code !== 'parser' && r.code !== 'unrecognized-format')
  .map((r) => `${r.code} ${severities[r.severity]} ${pointer(r.path)} ${r.range.start.line + 1}`);
const gatehop = read(gatehopFile)
  .diagnostics.filter((d) => !/^HOP\d{4}$/.test(d.code))
  .map((d) => `${d.code} ${d.severity} ${d.path} ${d.line}`);

function counts(list) {
  const m = new Map();
  for (const x of list) m.set(x, (m.get(x) || 0) + 1);
  return m;
}
const a = counts(spectral), b = counts(gatehop);
const lines = [];
for (const [k, n] of a) if ((b.get(k) || 0) < n) lines.push(`  only Spectral: ${k}`);
for (const [k, n] of b) if ((a.get(k) || 0) < n) lines.push(`  only gatehop:  ${k}`);
if (lines.length) {
  console.log(`${label}: ${lines.length} difference(s)`);
  for (const l of lines.sort()) console.log(l);
  process.exit(1);
}
console.log(`${label}: the same ${spectral.length} result(s)`);
