#!/usr/bin/env node
// DEV ONLY: serves the harness page against a running Vigil, for a look at the editors by hand.
//   npm run harness -- --vigil http://127.0.0.1:8700 [--key READ_KEY] [--model demo] [--port 3300]
// Builds the bundle, then serves page, bundle, Grafana's icons and the data proxy on 127.0.0.1.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { registerTypeScript } = require('../../../scripts/register-ts');

// load the TypeScript data proxy the tests use (same code, so the page behaves as in the browser test)
registerTypeScript();
const { startDataProxy } = require('../../plugin/support/dataProxy.ts');
const { buildHarness } = require('./build');
const { harnessHtml } = require('./page');

const ROOT = path.resolve(__dirname, '../../..');

function args(argv) {
  const out = { vigil: process.env.VIGIL_URL, key: process.env.VIGIL_READ_KEY ?? '', model: 'demo', port: 0 };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '');
    if (!(key in out)) throw new Error(`unknown option ${argv[i]} (use --vigil URL --key KEY --model NAME --port N)`);
    out[key] = argv[i + 1];
  }
  if (!out.vigil) throw new Error('--vigil URL of a running Vigil is required (or VIGIL_URL)');
  return out;
}

async function main() {
  const opts = args(process.argv.slice(2));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-harness-'));
  const bundleDir = await buildHarness(path.join(work, 'bundle'));
  const pluginJson = JSON.parse(fs.readFileSync(path.join(ROOT, 'src/plugin.json'), 'utf8'));
  const uid = 'vigil';
  fs.writeFileSync(
    path.join(work, 'index.html'),
    harnessHtml({
      proxyPath: `/api/datasources/proxy/uid/${uid}`,
      vigilUrl: opts.vigil,
      jsonData: { defaultModel: opts.model },
      variables: [{ name: 'model', current: opts.model }],
      range: { from: Date.UTC(2000, 0, 1), to: Date.UTC(2100, 0, 1) },
    })
  );
  const proxy = await startDataProxy({
    uid,
    url: opts.vigil,
    routes: pluginJson.routes,
    secureJsonData: { apiKey: opts.key },
    staticFiles: { '/': path.join(work, 'index.html') },
    staticDirs: { '/harness/': bundleDir, '/public/build/img/icons/': path.join(ROOT, 'node_modules/@grafana/ui/dist/public/img/icons') },
    port: Number(opts.port),
  });
  console.log(`harness: ${proxy.origin}/  (Ctrl-C to stop)`);
  const stop = async () => {
    await proxy.close();
    fs.rmSync(work, { recursive: true, force: true });
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err) => {
  console.error(`harness: ${err.message}`);
  process.exit(2);
});
