// The PouchDB peer of the office-merge figure: every node's rows as documents in a local
// LevelDB database (set up first, not timed), then replicated one node after another into one
// office database, as hearth's office merges node after node. Prints the replication's seconds.
//
//   node pouch.mjs DOCS_DIR WORK_DIR      (DOCS_DIR: one NNNN.jsonl file a node)
import fs from 'node:fs';
import path from 'node:path';
import PouchDB from 'pouchdb-node';

const [docsDir, work] = process.argv.slice(2);
if (!docsDir || !work) {
	console.error('usage: node pouch.mjs DOCS_DIR WORK_DIR');
	process.exit(2);
}
fs.rmSync(work, { recursive: true, force: true });
fs.mkdirSync(work, { recursive: true });

const files = fs.readdirSync(docsDir).filter((f) => f.endsWith('.jsonl')).sort();
const sources = [];
for (const f of files) {
	const db = new PouchDB(path.join(work, 'node-' + path.basename(f, '.jsonl')));
	const docs = fs.readFileSync(path.join(docsDir, f), 'utf8').split('\n').filter(Boolean)
		.map((l) => JSON.parse(l));
	for (let i = 0; i < docs.length; i += 1000)
		await db.bulkDocs(docs.slice(i, i + 1000));
	sources.push(db);
}

const office = new PouchDB(path.join(work, 'office'));
const t0 = process.hrtime.bigint();
for (const src of sources)
	await PouchDB.replicate(src, office);
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
const info = await office.info();
console.log(seconds.toFixed(6));
console.log(`pouchdb: ${info.doc_count} documents replicated from ${sources.length} nodes`);
for (const db of [...sources, office])
	await db.close();
fs.rmSync(work, { recursive: true, force: true });
