// Scores a served model on a labeled CSV it never saw, through the HTTP API, the way a client would: posts the
// texts to POST /api/classify in batches and compares the answers with the CSV's labels. Prints accuracy, macro-F1,
// per-class precision, recall, F1 and support, and the confusion matrix (rows: true label, columns: predicted).
//
//   node samples/score.mjs held-out.csv --model genres [--endpoint http://127.0.0.1:7071] [--text-field text] [--label-field label]
//
// Against a deployed app, set BERTFN_FUNCTION_KEY to a classify key.
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const file = args[0];
const model = option('--model');
const endpoint = option('--endpoint', 'http://127.0.0.1:7071').replace(/\/$/, '');
const textField = option('--text-field', 'text');
const labelField = option('--label-field', 'label');
if (!file || file.startsWith('--') || !model) {
  console.error('usage: node samples/score.mjs FILE.csv --model NAME [--endpoint URL] [--text-field text] [--label-field label]');
  process.exit(64);
}

// RFC 4180: quoted fields may hold commas, newlines and doubled quotes.
function parseCsv(text) {
  const rows = [];
  let row = [], field = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') { quoted = false; }
      else { field += c; }
    } else if (c === '"') { quoted = true; }
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') { i++; }
      row.push(field); field = '';
      if (row.length > 1 || row[0] !== '') { rows.push(row); }
      row = [];
    } else { field += c; }
  }
  if (field !== '' || row.length > 0) { row.push(field); rows.push(row); }
  return rows;
}

const [header, ...records] = parseCsv(readFileSync(file, 'utf8'));
const t = header.indexOf(textField), l = header.indexOf(labelField);
if (t < 0 || l < 0) {
  console.error(`${file}: needs columns '${textField}' and '${labelField}' (has ${header.join(', ')})`);
  process.exit(65);
}

const truth = records.map(r => r[l]);
const predicted = [];
const headers = { 'content-type': 'application/json' };
if (process.env.BERTFN_FUNCTION_KEY) { headers['x-functions-key'] = process.env.BERTFN_FUNCTION_KEY; }
for (let i = 0; i < records.length; i += 32) {
  const texts = records.slice(i, i + 32).map(r => r[t]);
  const response = await fetch(`${endpoint}/api/classify`, { method: 'POST', headers, body: JSON.stringify({ model, texts }) });
  if (!response.ok) {
    console.error(`POST ${endpoint}/api/classify answered ${response.status}: ${await response.text()}`);
    process.exit(69);
  }
  predicted.push(...(await response.json()).results.map(r => r.label));
}

const labels = [...new Set(truth)].sort();
const index = new Map(labels.map((label, i) => [label, i]));
const confusion = labels.map(() => labels.map(() => 0));
let correct = 0, unknown = 0;
truth.forEach((label, i) => {
  correct += label === predicted[i] ? 1 : 0;
  if (index.has(predicted[i])) { confusion[index.get(label)][index.get(predicted[i])]++; } else { unknown++; }
});
const perClass = labels.map((label, c) => {
  const tp = confusion[c][c];
  const support = confusion[c].reduce((a, b) => a + b, 0);
  const predictedCount = confusion.reduce((a, row) => a + row[c], 0);
  const precision = predictedCount ? tp / predictedCount : 0, recall = support ? tp / support : 0;
  return { label, precision, recall, f1: precision + recall ? 2 * precision * recall / (precision + recall) : 0, support };
});
const macroF1 = perClass.reduce((a, c) => a + c.f1, 0) / perClass.length;
const f = x => x.toFixed(3);
console.log(`${file}: ${truth.length} texts, accuracy ${f(correct / truth.length)}, macro-F1 ${f(macroF1)}${unknown ? `, ${unknown} predicted labels not in the file` : ''}`);
console.log('| label | precision | recall | F1 | support |\n| --- | ---: | ---: | ---: | ---: |');
for (const c of perClass) { console.log(`| ${c.label} | ${f(c.precision)} | ${f(c.recall)} | ${f(c.f1)} | ${c.support} |`); }
console.log(`\nconfusion matrix (rows: true, columns: predicted, in the order ${labels.join(', ')}):`);
for (const [c, row] of confusion.entries()) { console.log(`${labels[c].padEnd(16)} ${row.map(n => String(n).padStart(4)).join('')}`); }
