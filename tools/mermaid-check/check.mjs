// Parses mermaid files with mermaid's own parser (as GitHub renders them).
import { JSDOM } from 'jsdom';
import { readFileSync } from 'node:fs';
const dom = new JSDOM('<!DOCTYPE html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import('mermaid');
mermaid.initialize({ startOnLoad: false });
let failed = 0;
for (const f of process.argv.slice(2)) {
  try {
    await mermaid.parse(readFileSync(f, 'utf8'));
    console.log(`ok ${f}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${f}: ${e.message ?? e}`);
  }
}
process.exit(failed ? 1 : 0);
