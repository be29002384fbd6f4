import path from 'node:path';
import type { NextConfig } from 'next';

// The monorepo root holds the lockfile and node_modules; say so, so Next does not guess.
const monorepoRoot = path.resolve(__dirname, '../..');

// The console is a plain Next.js server (`next start`). Nothing here depends on the API's address:
// MAAS_API_URL is read per request by the root layout, so one build serves any environment.
const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // No image optimisation: the console shows no remote images, and this keeps sharp unused.
  images: { unoptimized: true },
  turbopack: { root: monorepoRoot },
  outputFileTracingRoot: monorepoRoot,
};

export default nextConfig;
