'use client';
import { useRouter } from 'next/navigation';
import { useId, useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { Upload } from 'lucide-react';
import { CreateDatasetMutation } from '@/graphql/training';
import { useApiUrl } from '@/lib/api-config';
import { describeError, type ApiErrorInfo } from '@/lib/api-error';
import { useSession } from '@/lib/session';
import { uploadWithProgress } from '@/lib/upload';
import { cn } from '@/lib/cn';
import { FileDrop } from '@/components/file-drop';
import { Button } from '@/components/ui/button';
import { Dialog, DialogClose } from '@/components/ui/dialog';
import { Field, Input, Textarea } from '@/components/ui/input';
import { ProgressBar } from '@/components/ui/progress';
import { ErrorMessage } from '@/components/ui/states';
import { useToast } from '@/components/ui/toast';

/** "data/house prices.csv" -> "house-prices". */
export function datasetNameFromFile(fileName: string): string {
  return fileName
    .replace(/\.[^.]+$/, '')
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 128);
}

/** "Upload dataset": a CSV file (streamed, with progress) or pasted CSV text (inline). */
export function UploadDatasetDialog() {
  const id = useId();
  const router = useRouter();
  const apiUrl = useApiUrl();
  const { apiKey } = useSession();
  const toast = useToast();
  const [open, setOpen] = useState(false);
  const [mode, setMode] = useState<'file' | 'paste'>('file');
  const [name, setName] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [csv, setCsv] = useState('');
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<ApiErrorInfo | null>(null);
  const [inline, createDataset] = useMutation(CreateDatasetMutation);

  const reset = () => {
    setName('');
    setFile(null);
    setCsv('');
    setProgress(null);
    setError(null);
  };

  const done = (dataset: { id: string; name: string; rowCount: number }) => {
    toast.success(`Dataset ${dataset.name}: ${dataset.rowCount.toLocaleString('en')} rows.`);
    setOpen(false);
    reset();
    router.push(`/datasets/${dataset.id}`);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    if (!name.trim()) {
      setError({ message: 'Give the dataset a name.', code: 'BAD_USER_INPUT' });
      return;
    }
    if (mode === 'paste') {
      const result = await createDataset(
        { name: name.trim(), csv },
        { additionalTypenames: ['Dataset'] },
      );
      if (result.error) setError(describeError(result.error));
      else if (result.data) done(result.data.createDataset);
      return;
    }
    if (!file || !apiKey) return;
    setProgress(0);
    const result = await uploadWithProgress<{ id: string; name: string; rowCount: number }>({
      url: `${apiUrl}/v1/datasets?name=${encodeURIComponent(name.trim())}`,
      apiKey,
      body: file,
      contentType: 'text/csv',
      onProgress: setProgress,
    });
    setProgress(null);
    if (result.ok) done(result.value);
    else setError(result.error);
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
      title="New dataset"
      description="A CSV with a header row. Column types and statistics are worked out on upload."
      trigger={
        <Button>
          <Upload aria-hidden />
          Upload dataset
        </Button>
      }
    >
      <form className="grid gap-4" onSubmit={(event) => void submit(event)} noValidate>
        <div
          role="tablist"
          aria-label="Source"
          className="grid grid-cols-2 rounded-md border border-border p-0.5 text-sm"
        >
          {(['file', 'paste'] as const).map((m) => (
            <button
              key={m}
              type="button"
              role="tab"
              aria-selected={mode === m}
              onClick={() => setMode(m)}
              className={cn(
                'rounded px-3 py-1.5',
                mode === m ? 'bg-muted font-medium' : 'text-muted-foreground hover:text-foreground',
              )}
            >
              {m === 'file' ? 'CSV file' : 'Paste CSV'}
            </button>
          ))}
        </div>
        {mode === 'file' ? (
          <FileDrop
            accept=".csv,text/csv"
            label="CSV file"
            hint="Choose or drop a .csv file (streamed; large files are fine)"
            file={file}
            onFile={(f) => {
              setFile(f);
              if (f && !name) setName(datasetNameFromFile(f.name));
            }}
            disabled={uploading}
          />
        ) : (
          <Field
            label="CSV"
            htmlFor={`${id}-csv`}
            hint="For small tables; use a file for anything large"
          >
            <Textarea
              id={`${id}-csv`}
              value={csv}
              onChange={(e) => setCsv(e.target.value)}
              rows={7}
              className="font-mono text-xs"
              placeholder={'x,y\n0.1,0.8\n0.5,2.1'}
              spellCheck={false}
            />
          </Field>
        )}
        <Field label="Name" htmlFor={`${id}-name`}>
          <Input
            id={`${id}-name`}
            value={name}
            onChange={(e) => setName(e.target.value)}
            autoComplete="off"
          />
        </Field>
        {uploading ? (
          <div className="grid gap-1">
            <ProgressBar value={progress} label="Upload progress" />
            <p className="text-xs text-muted-foreground">
              {progress < 1
                ? `Uploading… ${Math.round(progress * 100)}%`
                : 'Reading columns and statistics…'}
            </p>
          </div>
        ) : null}
        <ErrorMessage error={error} title="The dataset was not created" />
        <div className="flex justify-end gap-2">
          <DialogClose>
            <Button variant="outline" disabled={uploading}>
              Cancel
            </Button>
          </DialogClose>
          <Button
            type="submit"
            busy={uploading || inline.fetching}
            disabled={mode === 'file' ? !file : !csv.trim()}
          >
            Create dataset
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
