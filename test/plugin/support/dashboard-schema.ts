// Checks a dashboard JSON against Grafana's dashboard schema as @grafana/schema publishes it: the
// TypeScript types generated from Grafana's CUE schema (dist/types/raw/dashboard/x/types.gen.d.ts,
// `Dashboard`). There is no JSON Schema of it on npm, so the JSON is handed to the TypeScript compiler
// as an object literal typed `Dashboard`: required fields, field types, enums (variable types, threshold
// modes, ...) and unknown fields (excess-property check of a fresh literal) are all checked.
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

// the package's exports map hides its .d.ts files from require.resolve: found from its entry point
const SCHEMA_PACKAGE = path.resolve(path.dirname(require.resolve('@grafana/schema')), '../..');
export const DASHBOARD_TYPES = path.join(SCHEMA_PACKAGE, 'dist/types/raw/dashboard/x/types.gen.d.ts');

const CHECK_FILE = path.join(path.dirname(DASHBOARD_TYPES), '__dashboard_check__.ts');
// AnnotationTarget's own doc says it "should be a regular DataQuery that depends on the selected
// dashboard" and that its fields are "only required/valid for the grafana datasource": an annotation on
// another data source carries that data source's query, so either shape is accepted there.
const PREFIX = [
  `import type { Dashboard, AnnotationQuery, AnnotationTarget } from './types.gen';`,
  `type DataSourceQuery = { refId: string; [key: string]: unknown };`,
  `type Annotation = Omit<AnnotationQuery, 'target'> & { target?: AnnotationTarget | DataSourceQuery };`,
  `type Checked = Omit<Dashboard, 'annotations'> & { annotations?: { list?: Annotation[] } };`,
].join(' ');

/**
 * The CUE schema's string and number disjunctions ("absolute" | "percentage") are emitted as TS enums,
 * which a JSON string can never be assigned to; as unions they mean what the CUE says.
 */
function enumsAsUnions(typesText: string): string {
  return typesText.replace(/export declare enum (\w+) \{([^}]*)\}/g, (_all, name: string, body: string) => {
    const values = [...body.matchAll(/=\s*("[^"]*"|'[^']*'|-?\d+(?:\.\d+)?)/g)].map((m) => m[1]);
    return `export type ${name} = ${values.join(' | ')};`;
  });
}

const OPTIONS: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.CommonJS,
  moduleResolution: ts.ModuleResolutionKind.Node10,
  types: [],
  lib: ['lib.es2022.d.ts'],
};

/**
 * Schema errors of each dashboard (file → messages with the line in that file); several dashboards
 * are checked in one compiler run.
 */
export function dashboardSchemaErrors(dashboards: Record<string, unknown>): Record<string, string[]> {
  const names = Object.keys(dashboards);
  const sources = new Map<string, string>();
  names.forEach((name, i) => {
    const file = CHECK_FILE.replace(/\.ts$/, `_${i}.ts`);
    sources.set(file, `${PREFIX}export const dashboard: Checked = ${JSON.stringify(dashboards[name], null, 2)};\n`);
  });
  const host = ts.createCompilerHost(OPTIONS);
  const readFile = host.readFile.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.fileExists = (f) => sources.has(f) || fs.existsSync(f);
  sources.set(DASHBOARD_TYPES, enumsAsUnions(fs.readFileSync(DASHBOARD_TYPES, 'utf8')));
  host.readFile = (f) => sources.get(f) ?? readFile(f);
  host.getSourceFile = (f, languageVersion) => (sources.has(f) ? ts.createSourceFile(f, sources.get(f)!, languageVersion, true) : getSourceFile(f, languageVersion));
  const checks = [...sources.keys()].filter((f) => f !== DASHBOARD_TYPES);
  const program = ts.createProgram(checks, OPTIONS, host);
  const out: Record<string, string[]> = {};
  checks.forEach((file, i) => {
    const source = program.getSourceFile(file)!;
    out[names[i]] = ts.getPreEmitDiagnostics(program, source).map((d) => {
      const line = d.start === undefined ? 0 : source.getLineAndCharacterOfPosition(d.start).line; // line 0 holds the type declarations
      const text = ts.flattenDiagnosticMessageText(d.messageText, '\n').split('\n').slice(-2).join(' / ');
      return `${names[i]}: line ${line} of the JSON as printed: ${text}`;
    });
  });
  return out;
}
