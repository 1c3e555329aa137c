// baxbench: compile the Nest project in the working directory (src/ -> dist/) with the
// TypeScript compiler API, inside the build sandbox. Usage: node build.js [tsconfig.build.json]
//
// Like `nest build`, which emits the JavaScript before it reports diagnostics, type errors are
// printed but do not stop the build. These do: syntax errors, errors in the compiler options,
// imports that resolve to nothing (TS2307/TS2792: a package that is not installed, or a missing
// file), emit errors, and no dist/main.js at the end. Exit status 0 = built, 1 = failed.
'use strict';

const fs = require('fs');
const path = require('path');
const { createRequire } = require('module');

const ts = createRequire(path.resolve('package.json'))('typescript');

const UNRESOLVED_IMPORT = new Set([2307, 2792]);
const configPath = path.resolve(process.argv[2] || 'tsconfig.build.json');
const formatHost = {
  getCanonicalFileName: (f) => f,
  getCurrentDirectory: () => process.cwd(),
  getNewLine: () => '\n',
};

function show(diagnostics) {
  if (diagnostics.length) process.stdout.write(ts.formatDiagnostics(diagnostics, formatHost));
}

function fail(message) {
  process.stdout.write(`build failed: ${message}\n`);
  process.exit(1);
}

const parsed = ts.getParsedCommandLineOfConfigFile(configPath, {}, {
  ...ts.sys,
  onUnRecoverableConfigFileDiagnostic: (d) => {
    show([d]);
    fail('the compiler configuration could not be read');
  },
});
const program = ts.createProgram({
  rootNames: parsed.fileNames,
  options: parsed.options,
  projectReferences: parsed.projectReferences,
  configFileParsingDiagnostics: ts.getConfigFileParsingDiagnostics(parsed),
});

const fatal = [
  ...program.getConfigFileParsingDiagnostics(),
  ...program.getOptionsDiagnostics(),
  ...program.getGlobalDiagnostics(),
];
const syntactic = program.getSyntacticDiagnostics();
fatal.push(...syntactic);
const semantic = syntactic.length ? [] : program.getSemanticDiagnostics();
const unresolved = semantic.filter((d) => UNRESOLVED_IMPORT.has(d.code));
fatal.push(...unresolved);

const outDir = parsed.options.outDir || path.resolve('dist');
fs.rmSync(outDir, { recursive: true, force: true });
const emitted = program.emit();
fatal.push(...emitted.diagnostics);

const errors = fatal.filter((d) => d.category === ts.DiagnosticCategory.Error);
const tolerated = semantic.filter(
  (d) => d.category === ts.DiagnosticCategory.Error && !UNRESOLVED_IMPORT.has(d.code),
);
show(ts.sortAndDeduplicateDiagnostics([...fatal, ...semantic]));

if (unresolved.length) {
  const names = [...new Set(unresolved.map((d) => {
    const m = /'([^']+)'/.exec(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    return m ? m[1] : '?';
  }))];
  fail(`cannot resolve ${names.map((n) => `'${n}'`).join(', ')}: only the packages of ` +
       'package.json are installed, and relative imports must name files of the project');
}
if (errors.length) fail(`${errors.length} error(s) that stop the build (see above)`);
const main = path.join(outDir, 'main.js');
if (!fs.existsSync(main)) {
  fail(`${path.relative(process.cwd(), main)} was not produced (is there a src/main.ts?)`);
}
const note = tolerated.length
  ? ` (${tolerated.length} type error(s) above tolerated: the emitted JavaScript runs as is)`
  : '';
process.stdout.write(`built ${path.relative(process.cwd(), outDir)}/ from ` +
                     `${parsed.fileNames.length} file(s)${note}\n`);
