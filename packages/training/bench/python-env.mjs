// The Python side of compare.bench.mjs: Debian's python3-numpy and python3-torch under
// /usr/bin/python3 (installed with apt when missing), and optionally OpenBLAS unpacked into a
// private folder (not installed: that would switch the machine's default BLAS for everyone).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const PYTHON = '/usr/bin/python3';

/** Environment of every reference run: one thread everywhere, no user site or PYTHON* overrides. */
export function pythonEnv(libraryPath) {
  const env = {
    ...process.env,
    OMP_NUM_THREADS: '1',
    OPENBLAS_NUM_THREADS: '1',
    MKL_NUM_THREADS: '1',
  };
  delete env.PYTHONPATH;
  delete env.PYTHONHOME;
  if (libraryPath) env.LD_LIBRARY_PATH = libraryPath;
  else delete env.LD_LIBRARY_PATH;
  return env;
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...options });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
  return {
    ok: result.status === 0,
    status: result.status,
    output: result.error ? result.error.message : output,
  };
}

function canImport(module, libraryPath) {
  if (!fs.existsSync(PYTHON)) return false;
  return run(PYTHON, ['-E', '-s', '-c', `import ${module}`], { env: pythonEnv(libraryPath) }).ok;
}

/** The lines of apt's output worth quoting (errors), or its last lines. */
function aptMessage(output) {
  const lines = output
    .split('\n')
    .filter((l) => /^(E|W):|Unable|not found|no installation candidate|denied/i.test(l));
  return (lines.length ? lines : output.split('\n').slice(-3)).join(' ').trim().slice(0, 400);
}

function apt(args, log) {
  const asRoot = process.getuid?.() === 0;
  const command = asRoot ? 'apt-get' : 'sudo';
  const full = [...(asRoot ? [] : ['-n', 'apt-get']), '-o', 'DPkg::Lock::Timeout=300', ...args];
  log(`$ ${asRoot ? '' : 'sudo '}apt-get ${args.join(' ')}`);
  return run(command, full, { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

/**
 * Makes sure numpy and torch import under /usr/bin/python3, installing python3-numpy and
 * python3-torch with apt when missing (apt-get update first only if apt does not know them).
 * Returns { numpy, torch }: null when usable, else why not (apt's message).
 */
export function ensurePythonPackages(
  log,
  wanted = { numpy: 'python3-numpy', torch: 'python3-torch' },
) {
  const missing = () => Object.keys(wanted).filter((m) => !canImport(m));
  let absent = missing();
  const status = Object.fromEntries(Object.keys(wanted).map((m) => [m, null]));
  if (absent.length === 0) return status;
  const packages = absent.map((m) => wanted[m]);
  let result = apt(['install', '-y', ...packages], log);
  if (
    !result.ok &&
    /Unable to locate|no installation candidate|has no installation/i.test(result.output)
  ) {
    const update = apt(['update'], log);
    if (!update.ok) log(`apt-get update failed: ${aptMessage(update.output)}`);
    result = apt(['install', '-y', ...packages], log);
  }
  absent = missing();
  // One package may be installable without the other: try them one by one before giving up.
  if (!result.ok && absent.length > 1) {
    for (const m of absent) {
      const single = apt(['install', '-y', wanted[m]], log);
      if (!single.ok)
        status[m] = `blocked: apt-get install -y ${wanted[m]}: ${aptMessage(single.output)}`;
    }
    absent = missing();
  }
  for (const m of absent) {
    status[m] ??= result.ok
      ? `blocked: ${wanted[m]} installed but \`import ${m}\` fails under ${PYTHON}`
      : `blocked: apt-get install -y ${packages.join(' ')}: ${aptMessage(result.output)}`;
  }
  return status;
}

/**
 * OpenBLAS (Debian's libopenblas0-pthread) unpacked under the system temp folder, for a second set
 * of reference rows with LD_LIBRARY_PATH pointing at it. Returns { libraryPath } or { skipped }.
 */
export function privateOpenBlas(log) {
  const root = path.join(os.tmpdir(), 'maas-bench-openblas');
  const libraryPath = path.join(root, 'usr', 'lib', 'x86_64-linux-gnu', 'openblas-pthread');
  if (!fs.existsSync(path.join(libraryPath, 'libblas.so.3'))) {
    fs.mkdirSync(root, { recursive: true });
    log(
      '$ apt-get download libopenblas0-pthread && dpkg-deb -x (into ' + root + ', not installed)',
    );
    const download = run('apt-get', ['download', 'libopenblas0-pthread'], { cwd: root });
    const deb = fs
      .readdirSync(root)
      .find((f) => f.startsWith('libopenblas0-pthread_') && f.endsWith('.deb'));
    if (!deb)
      return { skipped: `apt-get download libopenblas0-pthread: ${aptMessage(download.output)}` };
    const unpack = run('dpkg-deb', ['-x', path.join(root, deb), root]);
    if (!unpack.ok) return { skipped: `dpkg-deb -x ${deb}: ${aptMessage(unpack.output)}` };
  }
  if (!canImport('numpy', libraryPath))
    return { skipped: `numpy does not load with LD_LIBRARY_PATH=${libraryPath}` };
  return { libraryPath };
}

/** numpy and torch versions and the BLAS library each Python configuration loads. */
export function pythonVersions(libraryPath) {
  const script =
    'import json, numpy\n' +
    'try:\n import torch; t = torch.__version__\nexcept Exception: t = None\n' +
    'blas = sorted({l.split()[-1] for l in open("/proc/self/maps") if "blas" in l.split("/")[-1]})\n' +
    'print(json.dumps({"python": __import__("platform").python_version(), "numpy": numpy.__version__, "torch": t, "blas": [__import__("os").path.realpath(b) for b in blas]}))';
  const result = run(PYTHON, ['-E', '-s', '-c', script], { env: pythonEnv(libraryPath) });
  if (!result.ok) return null;
  try {
    return JSON.parse(result.output.split('\n').pop());
  } catch {
    return null;
  }
}

/** Versions of the Debian packages behind the reference rows ("python3-torch" → "1.13.1+dfsg-4"). */
export function debianVersions(packages) {
  const versions = {};
  for (const name of packages) {
    const result = run('dpkg-query', ['-W', '-f=${Version}', name]);
    versions[name] = result.ok && result.output ? result.output : null;
  }
  return versions;
}
