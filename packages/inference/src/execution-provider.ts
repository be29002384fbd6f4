import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** What ONNX Runtime runs a session on, as the engine reports it. */
export type ExecutionProviderName = 'cuda' | 'cpu';

/** The providers to try, in order, and whether falling back to CPU is allowed when CUDA fails. */
export interface ExecutionProviderPlan {
  providers: string[];
  /** True for `auto`: a CUDA failure is a fallback to CPU, not an error. */
  fallbackToCpu: boolean;
  /** Why CUDA is or is not in the plan, for the log. */
  reason: string;
}

interface SupportedBackend {
  name: string;
  bundled: boolean;
}

/**
 * Turns `ORT_EXECUTION_PROVIDERS` (`auto`, `cpu`, `cuda,cpu`…) into the providers to try.
 * `auto` picks CUDA only when this onnxruntime-node build supports it, its provider library is
 * installed next to the binding, and an NVIDIA GPU is visible; the pool still probes it by
 * creating a session and falls back to CPU if that fails.
 */
export function planExecutionProviders(setting: string | undefined): ExecutionProviderPlan {
  const value = (setting ?? 'auto').trim().toLowerCase() || 'auto';
  if (value === 'auto') {
    const cuda = detectCuda();
    return cuda.available
      ? { providers: ['cuda', 'cpu'], fallbackToCpu: true, reason: cuda.reason }
      : { providers: ['cpu'], fallbackToCpu: false, reason: cuda.reason };
  }
  const providers = value
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  const supported = listBackends().map((b) => b.name);
  for (const p of providers) {
    if (p !== 'cpu' && p !== 'cuda') {
      throw new Error(
        `ORT_EXECUTION_PROVIDERS: unknown provider '${p}' (use auto, cpu or cuda,cpu)`,
      );
    }
    if (supported.length > 0 && !supported.includes(p)) {
      throw new Error(
        `ORT_EXECUTION_PROVIDERS: this onnxruntime-node build does not support '${p}'`,
      );
    }
  }
  if (providers.length === 0)
    throw new Error('ORT_EXECUTION_PROVIDERS is empty (use auto, cpu or cuda,cpu)');
  return { providers, fallbackToCpu: false, reason: `configured: ${providers.join(',')}` };
}

function listBackends(): SupportedBackend[] {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ort = require('onnxruntime-node') as { listSupportedBackends?: () => SupportedBackend[] };
    return ort.listSupportedBackends?.() ?? [];
  } catch {
    return [];
  }
}

/** Whether the CUDA execution provider can plausibly load here (the pool's probe decides for sure). */
export function detectCuda(): { available: boolean; reason: string } {
  const cuda = listBackends().find((b) => b.name === 'cuda');
  if (!cuda)
    return { available: false, reason: 'this onnxruntime-node build has no CUDA provider' };
  if (!cudaProviderLibraryPresent()) {
    return {
      available: false,
      reason: 'the CUDA provider library (libonnxruntime_providers_cuda) is not installed',
    };
  }
  if (!gpuVisible()) return { available: false, reason: 'no NVIDIA GPU visible' };
  return { available: true, reason: 'CUDA provider library and an NVIDIA GPU found' };
}

function cudaProviderLibraryPresent(): boolean {
  try {
    const pkg = require.resolve('onnxruntime-node/package.json');
    const dir = join(dirname(pkg), 'bin', 'napi-v6', process.platform, process.arch);
    return readdirSync(dir).some((f) => f.includes('onnxruntime_providers_cuda'));
  } catch {
    return false;
  }
}

function gpuVisible(): boolean {
  if (existsSync('/dev/nvidia0')) return true;
  try {
    return readdirSync('/proc/driver/nvidia/gpus').length > 0;
  } catch {
    return false;
  }
}
