// Builds the console into crates/hookbox-server/console/ (committed, embedded
// in the server): app.js and app.css bundled and minified by esbuild from
// src/, and index.html. `node build.mjs --out DIR` writes elsewhere (the
// check that the committed build is what these sources make).
import { build } from "esbuild";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const at = process.argv.indexOf("--out");
const out = at > 0 ? resolve(process.argv[at + 1]) : join(here, "..", "crates", "hookbox-server", "console");
mkdirSync(out, { recursive: true });

const result = await build({
  entryPoints: { app: join(here, "src", "main.jsx") },
  bundle: true,
  minify: true,
  format: "esm",
  target: ["es2020"],
  jsx: "automatic",
  jsxImportSource: "preact",
  legalComments: "eof",
  outdir: out,
  logLevel: "warning",
  // Deterministic output: no absolute paths, no source maps.
  sourcemap: false,
  charset: "utf8",
  metafile: true,
});
copyFileSync(join(here, "src", "index.html"), join(out, "index.html"));

// The licences of exactly the packages bundled into app.js and app.css
// (from esbuild's metafile), served as /console/THIRD_PARTY.txt.
const packages = new Set();
for (const output of Object.values(result.metafile.outputs)) {
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m && bytesInOutput > 0) packages.add(m[1]);
  }
}
const parts = ["Third-party software bundled into hookbox's web console (console/, built by esbuild).\n"];
for (const name of [...packages].sort()) {
  const dir = join(here, "node_modules", name);
  const meta = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(f));
  const text = file && existsSync(join(dir, file)) ? readFileSync(join(dir, file), "utf8").trim() : `License: ${meta.license}`;
  parts.push(`${"=".repeat(78)}\n${name} ${meta.version} (${meta.license})\n${"=".repeat(78)}\n${text}\n`);
}
writeFileSync(join(out, "THIRD_PARTY.txt"), parts.join("\n"));
console.log(`console built into ${out}`);
