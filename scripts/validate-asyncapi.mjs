#!/usr/bin/env node
// Validate an AsyncAPI document with @asyncapi/parser: exit 0 when valid, 1 with diagnostics when not,
// 2 on usage errors. Usage: node scripts/validate-asyncapi.mjs [schemas/asyncapi/websocket.yaml]
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Parser, fromFile } from "@asyncapi/parser";

const SEVERITY = ["error", "warning", "info", "hint"];
const here = path.dirname(fileURLToPath(import.meta.url));
const target = path.resolve(process.argv[2] ?? path.join(here, "..", "schemas", "asyncapi", "websocket.yaml"));

async function main() {
  try {
    await readFile(target);
  } catch (err) {
    console.error(`${target}: cannot read: ${err.code ?? err.message}`);
    return 2;
  }
  const parser = new Parser();
  let result;
  try {
    result = await fromFile(parser, target).validate();
  } catch (err) {
    console.error(`${target}: parser failed: ${err.message}`);
    return 1;
  }
  const diagnostics = Array.isArray(result) ? result : (result.diagnostics ?? []);
  let errors = 0;
  for (const d of diagnostics) {
    const severity = SEVERITY[d.severity] ?? String(d.severity);
    if (d.severity === 0) errors += 1;
    const line = d.range?.start?.line !== undefined ? d.range.start.line + 1 : "?";
    const where = (d.path ?? []).join("/");
    console.error(`${target}:${line}: ${severity}: ${d.code}: ${d.message}${where ? ` (at /${where})` : ""}`);
  }
  if (errors > 0) {
    console.error(`${target}: invalid AsyncAPI document (${errors} error(s))`);
    return 1;
  }
  console.log(`${target}: valid AsyncAPI ${diagnostics.length ? `(${diagnostics.length} non-error diagnostic(s))` : ""}`.trim());
  return 0;
}

process.exitCode = await main();
