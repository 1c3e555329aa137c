// baxbench: compile the Nest project in the working directory (src/ -> dist/) with the
// TypeScript compiler's API, inside the build sandbox. Usage: node build.js [tsconfig.build.json]
//
// Each file is transpiled on its own (TypeScript's transpileModule, i.e. `isolatedModules`,
// which a new Nest 11 project turns on; the same model as Nest's swc builder), so nothing is
// type-checked: the original ran whatever `nest build` emitted, type errors or not. Every import
// is resolved as the compiler would resolve it. The build fails, with the compiler's own
// diagnostics, on: an unreadable configuration, a syntax error, an import that resolves to
// nothing (TS2307: a package that is not installed, or a missing file), a source file outside
// src/, and no dist/main.js at the end. Exit status 0 = built, 1 = failed.
'use strict';

const fs = require('fs');
const path = require('path');
const { createRequire, isBuiltin } = require('module');

const ts = createRequire(path.resolve('package.json'))('typescript');

const cwd = process.cwd();
const formatHost = {
  getCanonicalFileName: (f) => f,
  getCurrentDirectory: () => cwd,
  getNewLine: () => '\n',
};

function isUnder(file, dir) {
  const rel = path.relative(dir, file);
  return !rel.startsWith('..') && !path.isAbsolute(rel);
}

function fail(diagnostics, message) {
  if (diagnostics.length) process.stdout.write(ts.formatDiagnostics(diagnostics, formatHost));
  process.stdout.write(`build failed: ${message}\n`);
  process.exit(1);
}

const configPath = path.resolve(process.argv[2] || 'tsconfig.build.json');
const parsed = ts.getParsedCommandLineOfConfigFile(configPath, {}, {
  ...ts.sys,
  onUnRecoverableConfigFileDiagnostic: (d) => fail([d], 'the compiler configuration is unreadable'),
});
if (parsed.errors.length) fail(parsed.errors, 'the compiler configuration has errors');

const options = parsed.options;
const rootDir = options.rootDir || path.join(cwd, 'src');
const outDir = options.outDir || path.join(cwd, 'dist');
// transpileModule cannot see package.json's "type": the project is CommonJS, so say so
const emitOptions = { ...options, module: ts.ModuleKind.CommonJS,
                      moduleResolution: ts.ModuleResolutionKind.Node10,
                      resolvePackageJsonExports: undefined, resolvePackageJsonImports: undefined,
                      declaration: false, sourceMap: false, noEmit: false };
const resolutionCache = ts.createModuleResolutionCache(cwd, (f) => f, options);

const errors = [];
const unresolved = new Set();
const outputs = [];
for (const fileName of parsed.fileNames) {
  if (fileName.endsWith('.d.ts')) continue;
  const rel = path.relative(rootDir, fileName);
  const text = fs.readFileSync(fileName, 'utf8');
  const source = ts.createSourceFile(fileName, text, options.target || ts.ScriptTarget.ES2023);
  if (!isUnder(fileName, rootDir)) {
    errors.push(ts.createFileDiagnostic(source, 0, 0, ts.Diagnostics
      .File_0_is_not_under_rootDir_1_rootDir_is_expected_to_contain_all_source_files,
    fileName, rootDir));
    continue;
  }
  const result = ts.transpileModule(text, { compilerOptions: emitOptions, fileName,
                                            reportDiagnostics: true });
  errors.push(...result.diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error));
  for (const ref of ts.preProcessFile(text, true, false).importedFiles) {
    const spec = ref.fileName;
    if (isBuiltin(spec)) continue;
    const found = ts.resolveModuleName(spec, fileName, options, ts.sys, resolutionCache,
                                       undefined, ts.ModuleKind.CommonJS).resolvedModule;
    if (found && !found.isExternalLibraryImport && !isUnder(found.resolvedFileName, rootDir) &&
        /\.(c|m)?tsx?$/.test(found.resolvedFileName) && !/\.d\.(c|m)?ts$/.test(found.resolvedFileName)) {
      // a source file of the project outside src/ would not be compiled into dist/
      errors.push(ts.createFileDiagnostic(source, ref.pos, ref.end - ref.pos + 2, ts.Diagnostics
        .File_0_is_not_under_rootDir_1_rootDir_is_expected_to_contain_all_source_files,
      found.resolvedFileName, rootDir));
      continue;
    }
    if (found) continue;
    // the span of the string literal, quotes included, as the compiler reports it
    errors.push(ts.createFileDiagnostic(source, ref.pos, ref.end - ref.pos + 2,
      ts.Diagnostics.Cannot_find_module_0_or_its_corresponding_type_declarations, spec));
    unresolved.add(spec);
  }
  outputs.push([path.join(outDir, rel.replace(/\.(c|m)?ts$/, '.$1js')), result.outputText]);
}

if (unresolved.size) {
  fail(errors, `cannot resolve ${[...unresolved].map((n) => `'${n}'`).join(', ')}: only the ` +
       'packages of package.json are installed, and relative imports must name files of the ' +
       'project');
}
if (errors.length) fail(errors, `${errors.length} error(s) (see above)`);

fs.rmSync(outDir, { recursive: true, force: true });
for (const [file, js] of outputs) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, js);
}
const main = path.join(outDir, 'main.js');
if (!fs.existsSync(main)) {
  fail([], `${path.relative(cwd, main)} was not produced (the app starts from src/main.ts)`);
}
process.stdout.write(`built ${path.relative(cwd, outDir)}/ from ${outputs.length} file(s) ` +
                     `(transpiled one by one, not type-checked)\n`);
