// Validate HTML files with html-validate's API and print the problems as JSON.
// The API is used rather than the html-validate command, which needs a newer Node.js for
// expanding file patterns than the Node.js 20 the README asks for.
// Usage: node tests/validate_html.mjs CONFIG.json FILE...
import { readFileSync } from "node:fs";
import { HtmlValidate, StaticConfigLoader } from "html-validate";

// Every file is checked against the one configuration given, so it is resolved once: the loader html-validate
// makes by default resolves it again for each file (its presets, rules and element table), which took about
// half of the time spent on each file.
class ResolvedOnce extends StaticConfigLoader {
  getConfigFor(handle, override) {
    if (override) return super.getConfigFor(handle, override);
    this.resolved ??= super.getConfigFor(handle);
    return this.resolved;
  }
}

const [configPath, ...files] = process.argv.slice(2);
const validator = new HtmlValidate(new ResolvedOnce(JSON.parse(readFileSync(configPath, "utf8"))));
const results = [];
for (const file of files) {
  const report = await validator.validateFile(file);
  const messages = report.results.flatMap((result) =>
    result.messages.map((m) => ({ rule: m.ruleId, message: m.message, line: m.line, column: m.column, selector: m.selector })),
  );
  results.push({ file, messages });
}
process.stdout.write(JSON.stringify(results));
