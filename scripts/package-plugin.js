#!/usr/bin/env node
// Packs the built plugin (dist/) into the zip layout Grafana's plugin tooling and catalog expect:
// every file under a top folder named after the plugin id (`vigil-mlmonitor-datasource/plugin.json`,
// `.../module.js`, ...). Writes `<id>-<version>.zip` (or --out FILE) and prints its path.
// Usage: node scripts/package-plugin.js [--dist DIR] [--out FILE]   (DIR defaults to $VIGIL_PLUGIN_DIST, then dist)
// What the archive must hold for Grafana's plugin validator is checked by test/plugin/validator-rules.test.ts.
// The zip is written here (deflate via zlib, CRC-32 via zlib.crc32) so packaging needs no zip binary.
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');

function parseArgs(argv) {
  // VIGIL_PLUGIN_DIST: the folder `npm run build` wrote to (webpack.config.js reads it too)
  const args = { dist: process.env.VIGIL_PLUGIN_DIST || 'dist', out: undefined };
  for (let i = 0; i < argv.length; i++) {
    const [key, value] = [argv[i], argv[i + 1]];
    if (key === '--dist' || key === '--out') {
      if (!value) throw new Error(`${key} needs a value`);
      args[key.slice(2)] = value;
      i++;
    } else {
      throw new Error(`unknown argument '${key}' (use --dist DIR, --out FILE)`);
    }
  }
  return args;
}

function listFiles(dir, base = dir) {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name), base) : [path.relative(base, path.join(dir, e.name))]))
    .sort();
}

/** DOS date/time fields of the zip format, from a JS Date (local time, 2-second resolution). */
function dosDateTime(date) {
  const time = (date.getHours() << 11) | (date.getMinutes() << 5) | Math.floor(date.getSeconds() / 2);
  const day = ((date.getFullYear() - 1980) << 9) | ((date.getMonth() + 1) << 5) | date.getDate();
  return { time, day };
}

/** A zip archive (PKWARE APPNOTE 4.3: local headers, data, central directory, end record). */
function zip(entries) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  const { time, day } = dosDateTime(new Date());
  for (const { name, data } of entries) {
    const nameBytes = Buffer.from(name, 'utf8');
    const compressed = zlib.deflateRawSync(data, { level: 9 });
    const crc = zlib.crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed: 2.0 (deflate)
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(time, 10);
    local.writeUInt16LE(day, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    locals.push(local, nameBytes, compressed);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(0x0314, 4); // made by: Unix, 2.0
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(time, 12);
    central.writeUInt16LE(day, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(compressed.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE((0o100644 << 16) >>> 0, 38); // -rw-r--r--
    central.writeUInt32LE(offset, 42);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + compressed.length;
  }
  const centralSize = centrals.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const dist = path.resolve(args.dist);
  const pluginJsonPath = path.join(dist, 'plugin.json');
  if (!fs.existsSync(pluginJsonPath)) {
    throw new Error(`${pluginJsonPath} not found: run \`npm run build\` first`);
  }
  const pluginJson = JSON.parse(fs.readFileSync(pluginJsonPath, 'utf8'));
  const { id } = pluginJson;
  const version = pluginJson.info && pluginJson.info.version;
  if (!id || !version || version.includes('%')) {
    throw new Error(`${pluginJsonPath}: id and a filled-in info.version are required (got id=${id}, version=${version})`);
  }
  // source maps are packed: Grafana's plugin validator (jsMap analyzer) requires module.js.map
  const files = listFiles(dist);
  for (const required of ['plugin.json', 'module.js', 'module.js.map', 'LICENSE', 'CHANGELOG.md', 'README.md']) {
    if (!files.includes(required)) throw new Error(`${path.join(dist, required)} is missing`);
  }
  const entries = files.map((f) => ({ name: `${id}/${f.split(path.sep).join('/')}`, data: fs.readFileSync(path.join(dist, f)) }));
  const out = path.resolve(args.out ?? `${id}-${version}.zip`);
  fs.writeFileSync(out, zip(entries));
  process.stdout.write(`${out}\n`);
}

try {
  main();
} catch (err) {
  process.stderr.write(`package-plugin: ${err.message}\n`);
  process.exit(2);
}
