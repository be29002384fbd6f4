// Summarises a V8 .cpuprofile (node --cpu-prof): self time by package or area and the hottest
// functions, to say where a server spends its CPU under load. Usage:
//   node apps/api/bench/summarize-cpu-profile.mjs FILE.cpuprofile [--top 25]
// It also prints self time by layer of the request path (socket writes, Node's HTTP, Fastify,
// Apollo, graphql-js, type-graphql, the API's code, the engine and its IPC, metrics, GC, idle), as
// a share of the busy (non-idle) time: what BENCHMARKS.md quotes as "where the CPU goes".
import { readFileSync } from 'node:fs';

const [file, ...rest] = process.argv.slice(2);
if (!file) {
  console.error('usage: summarize-cpu-profile.mjs FILE.cpuprofile [--top N]');
  process.exit(2);
}
const top = Number(rest[rest.indexOf('--top') + 1]) || 25;
const profile = JSON.parse(readFileSync(file, 'utf8'));

// Sample i lasted timeDeltas[i + 1]; attribute it to the sampled node.
const selfMicros = new Map();
for (let i = 0; i < profile.samples.length; i++) {
  const delta = profile.timeDeltas[i + 1] ?? 0;
  selfMicros.set(profile.samples[i], (selfMicros.get(profile.samples[i]) ?? 0) + delta);
}
const total = [...selfMicros.values()].reduce((a, b) => a + b, 0);

function area(url, name) {
  if (!url)
    return name === '(garbage collector)'
      ? '(gc)'
      : name.startsWith('(')
        ? name
        : '(native/builtin)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  const ours = /\/(packages|apps)\/([^/]+)\/dist\/(.*?)(?:\.js)?$/.exec(url);
  if (ours) {
    const module = /modules\/([^/]+)/.exec(ours[3]);
    return `${ours[1]}/${ours[2]}${module ? `/${module[1]}` : ours[2] === 'api' ? `/${ours[3]}` : ''}`;
  }
  if (url.startsWith('node:')) return url.replace(/^node:internal\//, 'node:').split('/')[0];
  return url;
}

const byArea = new Map();
const byFunction = new Map();
for (const node of profile.nodes) {
  const micros = selfMicros.get(node.id) ?? 0;
  if (!micros) continue;
  const { functionName, url, lineNumber } = node.callFrame;
  const name = functionName || '(anonymous)';
  const where = area(url, name);
  byArea.set(where, (byArea.get(where) ?? 0) + micros);
  const key = `${name}  ${url ? `${url.replace(/^.*\/(node_modules|packages|apps)\//, '$1/')}:${lineNumber + 1}` : ''}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + micros);
}

// Layers of the request path, from the area (package or module) and, for native code, the name.
function layer(where, name) {
  if (where === '(idle)') return '(idle)';
  if (where === '(gc)') return 'GC';
  if (where === '(native/builtin)')
    return /^(writev|writeBuffer|writeUtf8String|writeLatin1String|writeAsciiString)$/.test(name)
      ? 'socket writes (syscalls: HTTP answers, IPC frames)'
      : name === 'runMicrotasks'
        ? 'promise jobs (runMicrotasks)'
        : /^(run|Hash|digest|update|RandomBytesJob|hexSlice)$/.test(name)
          ? 'crypto (hashes, random bytes)'
          : 'other native and builtins';
  if (where === '(program)') return 'V8/libuv (program)';
  if (where.startsWith('node:')) return "Node's HTTP, streams, events, timers";
  if (
    /^(fastify|find-my-way|@fastify\/|avvio|toad-cache|fast-json-stringify|light-my-request|secure-json-parse|fast-querystring)/.test(
      where,
    )
  )
    return 'Fastify (incl. CORS, body parsing)';
  if (/^(@apollo\/|@as-integrations\/|negotiator|whatwg-mimetype|lodash)/.test(where))
    return 'Apollo Server';
  if (where === 'graphql') return 'graphql-js (execute, coerce)';
  if (/^(type-graphql|class-validator|class-transformer|reflect-metadata)/.test(where))
    return 'type-graphql';
  if (where === 'prom-client') return 'prom-client';
  if (where.startsWith('packages/inference')) return 'engine + IPC (packages/inference)';
  if (where.startsWith('apps/api')) return 'API code (apps/api)';
  if (/^(pino|pg|pg-pool|typeorm|lru-cache|dataloader)/.test(where))
    return 'logger, database, caches';
  return 'other';
}
const byLayer = new Map();
let idleMicros = 0;
for (const node of profile.nodes) {
  const micros = selfMicros.get(node.id) ?? 0;
  if (!micros) continue;
  const name = node.callFrame.functionName || '(anonymous)';
  const l = layer(area(node.callFrame.url, name), name);
  if (l === '(idle)') idleMicros += micros;
  else byLayer.set(l, (byLayer.get(l) ?? 0) + micros);
}

const pct = (micros) => `${((100 * micros) / total).toFixed(1).padStart(5)} %`;
console.log(`${file}: ${(total / 1e6).toFixed(2)} s sampled`);
const busy = total - idleMicros;
console.log(
  `\nself time by layer, share of the busy time (${(busy / 1e6).toFixed(2)} s; idle ${((100 * idleMicros) / total).toFixed(1)} % of all):`,
);
for (const [l, micros] of [...byLayer].sort((a, b) => b[1] - a[1]))
  console.log(`${((100 * micros) / busy).toFixed(1).padStart(5)} %  ${l}`);
console.log('\nself time by area:');
for (const [where, micros] of [...byArea].sort((a, b) => b[1] - a[1]).slice(0, top))
  console.log(`${pct(micros)}  ${where}`);
console.log('\nhottest functions (self time):');
for (const [key, micros] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top))
  console.log(`${pct(micros)}  ${key}`);
