/**
 * Property-based tests of the `vigil run` config reader (issue 12, item 8): whatever the document, the
 * reader either accepts it or refuses it with a UsageError, one line that starts with the config file
 * and names the key at fault (or says the file is not valid YAML/JSON). Any other exception is a crash.
 * Documents: arbitrary YAML/JSON values and texts, config-shaped documents with NannyML's keys and
 * hostile values, and mutations of the example configs (examples/*.yaml). A few mutants also go through
 * the compiled CLI: exit 0 or 2, and on exit 2 a single `vigil: ` line and nothing written.
 *
 * Runs are bounded and seeded (fast-check `seed`); a failure prints its seed and counterexample, and the
 * counterexamples found are kept below as regression cases.
 */
import fc from 'fast-check';
import * as fs from 'fs';
import * as path from 'path';
import YAML from 'yaml';
import { UsageError, validateRunConfig } from '../../backend/cli/run';
import { ROOT, tempDir, vigil } from './helpers';

/** Exploration: VIGIL_FUZZ_SEED / VIGIL_FUZZ_RUNS override the recorded seeds and run counts. */
const options = (seed: number, numRuns: number) => ({
  seed: process.env.VIGIL_FUZZ_SEED ? Number(process.env.VIGIL_FUZZ_SEED) : seed,
  numRuns: process.env.VIGIL_FUZZ_RUNS ? Number(process.env.VIGIL_FUZZ_RUNS) : numRuns,
});

let dir: string;
beforeAll(() => (dir = tempDir('vigil-config-fuzz-')));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const EXAMPLES = fs
  .readdirSync(path.join(ROOT, 'examples'))
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => path.join(ROOT, 'examples', f));

/**
 * A key path as the reader names it, then `: ` and the problem: `(top level)`, `calculators[0].params.chunk_size`,
 * `rankings[1]."": ...`. A segment is a bare key or, when it is empty or holds blanks, quotes or
 * separators, a JSON string (engine/params.ts keyIn).
 */
const SEGMENT = String.raw`(?:[^\s:.\[\]"'\\]+|"(?:[^"\\]|\\.)*")(?:\[\d+\])*`;
const NAMES_A_KEY = new RegExp(String.raw`^(?:\(top level\)|${SEGMENT}(?:\.${SEGMENT})*): \S`);

/** What is wrong with the outcome of reading `file`, or null when it is an acceptable one. */
function problemReading(file: string): string | null {
  // A warning would be printed on stderr: a second line.
  const warnings: string[] = [];
  const emitWarning = process.emitWarning;
  process.emitWarning = ((w: string | Error) => void warnings.push(String(w))) as typeof process.emitWarning;
  try {
    validateRunConfig(file);
    return warnings.length > 0 ? `printed a warning: ${warnings[0]}` : null;
  } catch (e) {
    if (warnings.length > 0) return `printed a warning: ${warnings[0]}`;
    if (!(e instanceof UsageError)) return `crashed with ${(e as Error)?.constructor?.name}: ${(e as Error)?.message ?? String(e)}`;
    const m = e.message;
    if (m.includes('\n')) return `message on several lines: ${JSON.stringify(m)}`;
    if (!m.startsWith(`${file}: `)) return `message does not start with the config file: ${m}`;
    const rest = m.slice(file.length + 2);
    if (/^not valid (YAML|JSON): \S/.test(rest)) return null;
    return NAMES_A_KEY.test(rest) ? null : `message does not name a key: ${m}`;
  } finally {
    process.emitWarning = emitWarning;
  }
}

let seq = 0;
function writeDoc(text: string, ext: '.yaml' | '.json'): string {
  const file = path.join(dir, `doc-${seq++}${ext}`);
  fs.writeFileSync(file, text);
  return file;
}

/** Reads `text` as a config file; fails the property with the reason when the reader misbehaves. */
function expectReadable(text: string, ext: '.yaml' | '.json'): void {
  const file = writeDoc(text, ext);
  try {
    const problem = problemReading(file);
    if (problem !== null) throw new Error(`${problem}\n--- ${ext} document ---\n${text}`);
  } finally {
    fs.rmSync(file, { force: true });
  }
}

/** Serialises a value as YAML, or null when the yaml library itself cannot (not the reader's problem). */
function toYaml(v: unknown): string | null {
  try {
    return YAML.stringify(v);
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------------
// Generators

const CLASSES = [
  'UnivariateDriftCalculator', 'DataReconstructionDriftCalculator', 'DomainClassifierCalculator', 'CBPE', 'DLE',
  'PerformanceCalculator', 'MissingValuesCalculator', 'UnseenValuesCalculator', 'NumericalRangeCalculator',
  'SummaryStatsAvgCalculator', 'SummaryStatsSumCalculator', 'SummaryStatsStdCalculator', 'SummaryStatsMedianCalculator',
  'SummaryStatsRowCountCalculator', 'OutlierDetectionCalculator', 'ConceptDriftCalculator',
];
const PARAMS = [
  'column_names', 'treat_as_categorical', 'treat_as_numerical', 'timestamp_column_name', 'chunk_size', 'chunk_number', 'chunk_period',
  'incomplete', 'continuous_methods', 'categorical_methods', 'thresholds', 'threshold', 'metrics', 'problem_type', 'y_true', 'y_pred',
  'y_pred_proba', 'calibration', 'business_value_matrix', 'normalize_business_value', 'normalize_confusion_matrix', 'n_components',
  'imputer_categorical', 'imputer_continuous', 'feature_column_names', 'cv_folds_num', 'hyperparameter_tuning_config',
  'tune_hyperparameters', 'n_estimators', 'max_samples', 'contamination', 'random_state', 'normalize', 'n_bins', 'computation_params',
];
/** Names an object already has: a lookup by user text in a plain object must not find these. */
const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype'];
const WORDS = [
  ...PROTOTYPE_NAMES, 'jensen_shannon', 'kolmogorov_smirnov', 'chi2', 'hellinger', 'wasserstein', 'l_infinity', 'roc_auc', 'f1',
  'accuracy', 'confusion_matrix', 'business_value', 'mae', 'rmse', 'classification_binary', 'classification_multiclass',
  'regression', 'constant', 'standard_deviation', 'M', 'D', 'W', 'Q', 'Y', 'h', 'auto', 'all', 'true', 'pred', 'keep', 'drop',
  'timestamp', 'y_pred_proba', 'car_value', '', ' ', 'ä', '😀',
];

const word = fc.oneof(fc.constantFrom(...WORDS, ...PARAMS, ...CLASSES), fc.string({ maxLength: 8 }));
const number = fc.oneof(fc.integer({ min: -3, max: 100_001 }), fc.double(), fc.constantFrom(0, -0, 1e308, -1, 0.5, 2 ** 53));
/** Values biased towards what a parameter might hold, wrong types included. */
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  leaf: fc.oneof(word, number, fc.boolean(), fc.constant(null)),
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    tie('leaf'),
    fc.array(tie('node'), { maxLength: 4 }),
    fc.dictionary(word, tie('node'), { maxKeys: 4 }),
    fc.record({ type: fc.constantFrom('constant', 'standard_deviation', 'nope'), lower: tie('leaf'), upper: tie('leaf') }, { requiredKeys: [] }),
  ),
})).node;

const calculator = fc.record(
  {
    class: fc.oneof(fc.constantFrom(...CLASSES, ...PROTOTYPE_NAMES), value),
    id: fc.oneof(word, value),
    params: fc.oneof(fc.dictionary(fc.oneof(fc.constantFrom(...PARAMS, ...PROTOTYPE_NAMES), word), value, { maxKeys: 6 }), value),
  },
  { requiredKeys: [] },
);
const ranking = fc.record(
  { class: fc.oneof(fc.constantFrom('AlertCountRanker', 'CorrelationRanker'), word), calculator: word, methods: value, metric: value, period: value, only_drifting: value },
  { requiredKeys: [] },
);
const configShaped = fc.record(
  {
    reference: fc.oneof(fc.constant('reference.csv'), value),
    analysis: fc.oneof(fc.constant('analysis.csv'), value),
    analysis_targets: value,
    join_on: value,
    calculators: fc.oneof(fc.array(calculator, { maxLength: 3 }), value),
    rankings: fc.oneof(fc.array(ranking, { maxLength: 2 }), value),
    __proto__: value,
  },
  { requiredKeys: ['calculators'] },
);

/** A path into a JSON value, and an edit there. */
type Edit = { kind: 'delete' | 'replace' | 'rename' | 'duplicate' | 'add'; pick: number; value: unknown; name: string };
const edit: fc.Arbitrary<Edit> = fc.record({
  kind: fc.constantFrom('delete', 'replace', 'rename', 'duplicate', 'add'),
  pick: fc.nat(),
  value,
  name: fc.oneof(fc.constantFrom(...PARAMS, ...PROTOTYPE_NAMES), word),
});

/** Every container and key in `doc`, depth-first. */
function places(doc: unknown, out: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = []) {
  if (Array.isArray(doc)) doc.forEach((v, i) => (out.push({ parent: doc, key: i }), places(v, out)));
  else if (doc !== null && typeof doc === 'object') for (const [k, v] of Object.entries(doc)) (out.push({ parent: doc as Record<string, unknown>, key: k }), places(v, out));
  return out;
}

function applyEdit(doc: unknown, e: Edit): void {
  const all = places(doc);
  if (all.length === 0) return;
  const { parent, key } = all[e.pick % all.length];
  if (Array.isArray(parent)) {
    const i = key as number;
    if (e.kind === 'delete') parent.splice(i, 1);
    else if (e.kind === 'duplicate') parent.splice(i, 0, structuredClone(parent[i]));
    else if (e.kind === 'add') parent.push(e.value);
    else parent[i] = e.value;
    return;
  }
  const k = key as string;
  const v = parent[k];
  if (e.kind === 'delete') delete parent[k];
  else if (e.kind === 'rename') {
    delete parent[k];
    Object.defineProperty(parent, e.name, { value: v, enumerable: true, writable: true, configurable: true });
  } else if (e.kind === 'add') Object.defineProperty(parent, e.name, { value: e.value, enumerable: true, writable: true, configurable: true });
  else if (e.kind === 'duplicate') parent[k] = Array.isArray(v) ? [...v, ...v] : [v, v];
  else parent[k] = e.value;
}

const exampleDocs = EXAMPLES.map((f) => ({ file: f, text: fs.readFileSync(f, 'utf8') }));

/** A mutant of an example: structural edits on the parsed document, then optionally byte edits of its text. */
const mutant = fc.record({
  example: fc.nat({ max: exampleDocs.length - 1 }),
  edits: fc.array(edit, { minLength: 1, maxLength: 4 }),
  textEdits: fc.array(fc.record({ at: fc.nat(), cut: fc.nat({ max: 3 }), insert: fc.constantFrom('', ':', '- ', '[', '{', '"', "'", '\n', '  ', '#', '&a', '*a', '!!set', '\t', '?') }), { maxLength: 2 }),
});

function mutantText(m: { example: number; edits: Edit[]; textEdits: { at: number; cut: number; insert: string }[] }): string {
  const doc = YAML.parse(exampleDocs[m.example].text) as unknown;
  for (const e of m.edits) applyEdit(doc, e);
  let text = toYaml(doc) ?? exampleDocs[m.example].text;
  for (const t of m.textEdits) {
    const at = t.at % (text.length + 1);
    text = text.slice(0, at) + t.insert + text.slice(at + t.cut);
  }
  return text;
}

// ---------------------------------------------------------------------------------------------------

describe('vigil run config reader (property-based)', () => {
  it('the example configs are read without error (the mutations start from valid documents)', () => {
    expect(exampleDocs.length).toBeGreaterThan(0);
    for (const { file } of exampleDocs) expect(problemReading(file)).toBeNull();
  });

  it('arbitrary JSON values, as .json and .yaml (seed 4201)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (v) => {
        expectReadable(JSON.stringify(v), '.json');
        const y = toYaml(v);
        if (y !== null) expectReadable(y, '.yaml');
      }),
      options(4201, 300),
    );
  });

  it('arbitrary YAML-ish text (seed 4202)', () => {
    const token = fc.constantFrom('reference', 'calculators', 'class', 'params', ':', ': ', '- ', '\n', '  ', '[', ']', '{', '}', ',', '"', "'", '&x ', '*x', '!!set ', '!!binary ', '!!map ', '? ', '|', '>', '#', '~', 'null', '.inf', '0x1F', '1e999', '<<: ', 'CBPE', '__proto__');
    fc.assert(
      fc.property(fc.array(fc.oneof(token, fc.string({ maxLength: 4 })), { maxLength: 30 }), (parts) => expectReadable(parts.join(''), '.yaml')),
      options(4202, 400),
    );
  });

  it('config-shaped documents with hostile values (seed 4203)', () => {
    fc.assert(
      fc.property(configShaped, (doc) => {
        expectReadable(JSON.stringify(doc), '.json');
        const y = toYaml(doc);
        if (y !== null) expectReadable(y, '.yaml');
      }),
      options(4203, 400),
    );
  });

  it('mutations of examples/*.yaml (seed 4204)', () => {
    fc.assert(
      fc.property(mutant, (m) => expectReadable(mutantText(m), '.yaml')),
      options(4204, 300),
    );
  });

  it('mutants through the compiled CLI: exit 0 or 2, on exit 2 one line and nothing written (seed 4205)', () => {
    // Few runs: each is a process; data paths made absolute so a mutant that stays valid really runs.
    const samples = fc.sample(mutant, { ...options(4205, 12), numRuns: Number(process.env.VIGIL_FUZZ_CLI_RUNS ?? 12) });
    for (const [i, m] of samples.entries()) {
      const text = mutantText(m).replace(/data\/nannyml\//g, `${path.join(ROOT, 'examples', 'data', 'nannyml')}/`);
      const cfg = writeDoc(text, '.yaml');
      const out = path.join(dir, `cli-out-${i}.json`);
      const r = vigil(['run', cfg, '--out', out], dir, { VIGIL_THREADS: '1' });
      const where = `mutant ${i} (exit ${r.status}, stderr ${JSON.stringify(r.stderr)}):\n${text}`;
      if (r.status === 0) {
        expect({ where, ok: JSON.parse(fs.readFileSync(out, 'utf8')).results.length > 0 }).toEqual({ where, ok: true });
        continue;
      }
      const lines = r.stderr.split('\n').filter((l) => l !== '');
      expect({ where, status: r.status, lines: lines.length, prefix: lines[0]?.startsWith('vigil: '), written: fs.existsSync(out), stdout: r.stdout }).toEqual({
        where,
        status: 2,
        lines: 1,
        prefix: true,
        written: false,
        stdout: '',
      });
      expect(fs.readdirSync(dir).filter((f) => f.startsWith(`cli-out-${i}`))).toEqual([]);
    }
  });
});

/** Counterexamples the properties above found (seeds 4201, 4202, 4204 and 13), kept as fixed cases. */
describe('regression cases found by fuzzing', () => {
  it.each([
    ['an empty top-level key (JSON {"": ""}): named quoted', '{"": ""}', '.json', ': "": unknown key'],
    ['a key named << (no merge keys in YAML 1.2)', '<<: ', '.yaml', ': <<: unknown key'],
    ['a collection used as a key: no warning printed, the key named', '!!binary : ', '.yaml', ': "'],
    ['an unknown tag: refused as YAML (it printed a warning and read the value as text)', 'reference: a.csv\nanalysis: b.csv\ncalculators:\n  - class: CBPE\n    params: {column_names: [!!setalary_range x]}\n', '.yaml', 'not valid YAML: Unresolved tag'],
  ] as const)('%s', (_name, text, ext, part) => {
    const file = writeDoc(text, ext);
    expect(problemReading(file)).toBeNull();
    expect(() => validateRunConfig(file)).toThrow(part);
  });

  it('the unknown tag through the CLI: exit 2 and one line (YAMLWarning was printed before it)', () => {
    const carLoan = exampleDocs.find((d) => path.basename(d.file) === 'car-loan.yaml')!;
    const text = carLoan.text.replace('- class: MissingValuesCalculator', '- class: !!setalary_range MissingValuesCalculator');
    expect(text).not.toBe(carLoan.text);
    const out = path.join(dir, 'tag-out.json');
    const r = vigil(['run', writeDoc(text, '.yaml'), '--out', out], dir);
    expect(r.status).toBe(2);
    expect(r.stderr.split('\n').filter((l) => l !== '')).toEqual([expect.stringMatching(/^vigil: .*: not valid YAML: Unresolved tag: tag:yaml.org,2002:setalary_range at line \d+, column \d+:$/)]);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('a message quoting a newline stays one line', () => {
    const file = writeDoc(JSON.stringify({ 'a\nb': 1 }), '.json');
    expect(() => validateRunConfig(file)).toThrow(': "a\\nb": unknown key');
  });
});
