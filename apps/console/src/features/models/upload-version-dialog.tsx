'use client';
import { useState, type FormEvent } from 'react';
import { Upload } from 'lucide-react';
import { useApiUrl } from '@/lib/api-config';
import type { ApiErrorInfo } from '@/lib/api-error';
import { formatBytes } from '@/lib/format';
import { useSession } from '@/lib/session';
import { uploadWithProgress, versionUploadContentType } from '@/lib/upload';
import { FileDrop } from '@/components/file-drop';
import { Button } from '@/components/ui/button';
import { Dialog, DialogClose } from '@/components/ui/dialog';
import { ProgressBar } from '@/components/ui/progress';
import { ErrorMessage } from '@/components/ui/states';
import { useToast } from '@/components/ui/toast';

/** What POST /v1/models/{name}/versions answers (docs/api.md, "Upload a model version"). */
export interface UploadedVersion {
  id: string;
  version: number;
  sha256: string;
  sizeBytes: number;
}

/** "Upload version": streams an ONNX file or a bundle archive to the REST endpoint, with progress. */
export function UploadVersionDialog({
  modelName,
  onUploaded,
}: {
  modelName: string;
  onUploaded: (version: UploadedVersion) => void;
}) {
  const apiUrl = useApiUrl();
  const { apiKey } = useSession();
  const toast = useToast();
  const [open, setOpen] = useState(false);
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<ApiErrorInfo | null>(null);

  const reset = () => {
    setFile(null);
    setProgress(null);
    setError(null);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!file || !apiKey) return;
    setError(null);
    setProgress(0);
    const result = await uploadWithProgress<UploadedVersion>({
      url: `${apiUrl}/v1/models/${encodeURIComponent(modelName)}/versions`,
      apiKey,
      body: file,
      contentType: versionUploadContentType(file.name),
      onProgress: setProgress,
    });
    setProgress(null);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    toast.success(
      `Uploaded ${modelName} v${result.value.version} (${formatBytes(result.value.sizeBytes)}).`,
    );
    onUploaded(result.value);
    setOpen(false);
    reset();
  };

  const uploading = progress !== null;
  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        if (uploading) return;
        setOpen(next);
        if (!next) reset();
      }}
      title={`Upload a version of ${modelName}`}
      description="An ONNX file, or a language-model bundle (.tar, .tar.gz or .zip in the Hugging Face layout). The API checks that ONNX Runtime can load it and reads its signature."
      trigger={
        <Button variant="outline">
          <Upload aria-hidden />
          Upload version
        </Button>
      }
    >
      <form className="grid gap-4" onSubmit={(event) => void submit(event)}>
        <FileDrop
          accept=".onnx,.tar,.tgz,.gz,.zip,application/octet-stream,application/x-tar,application/gzip,application/zip"
          label="ONNX file or bundle"
          hint="Choose or drop a .onnx file, or a bundle as .tar, .tar.gz or .zip"
          file={file}
          onFile={(f) => {
            setFile(f);
            setError(null);
          }}
          disabled={uploading}
        />
        {uploading ? (
          <div className="grid gap-1">
            <ProgressBar value={progress} label="Upload progress" />
            <p className="text-xs text-muted-foreground">
              {progress < 1 ? `Uploading… ${Math.round(progress * 100)}%` : 'Validating the model…'}
            </p>
          </div>
        ) : null}
        <ErrorMessage error={error} title="The upload was refused" />
        <div className="flex justify-end gap-2">
          <DialogClose>
            <Button variant="outline" disabled={uploading}>
              Cancel
            </Button>
          </DialogClose>
          <Button type="submit" disabled={!file} busy={uploading}>
            Upload
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
