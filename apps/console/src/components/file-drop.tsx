'use client';
import { useId, useRef, useState, type DragEvent } from 'react';
import { FileUp } from 'lucide-react';
import { formatBytes } from '@/lib/format';
import { cn } from '@/lib/cn';

/** A file picker that also takes a dropped file; the real <input> stays keyboard-reachable. */
export function FileDrop({
  accept,
  label,
  hint,
  file,
  onFile,
  disabled,
}: {
  accept: string;
  label: string;
  hint: string;
  file: File | null;
  onFile: (file: File | null) => void;
  disabled?: boolean;
}) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setOver(false);
    if (!disabled) onFile(event.dataTransfer.files[0] ?? null);
  };
  return (
    <div
      onDragOver={(event) => {
        event.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
      className={cn(
        'flex flex-col items-center gap-2 rounded-lg border-2 border-dashed border-input px-4 py-6 text-center',
        over && 'border-primary bg-accent/50',
      )}
    >
      <FileUp aria-hidden className="size-6 text-muted-foreground" />
      <label htmlFor={id} className="text-sm font-medium">
        {label}
      </label>
      <input
        ref={input}
        id={id}
        type="file"
        accept={accept}
        disabled={disabled}
        onChange={(event) => onFile(event.target.files?.[0] ?? null)}
        className="max-w-full text-sm file:mr-3 file:rounded-md file:border file:border-input file:bg-card file:px-3 file:py-1.5 file:text-sm file:font-medium hover:file:bg-muted"
      />
      <p className="text-xs text-muted-foreground">
        {file ? `${file.name} · ${formatBytes(file.size)}` : hint}
      </p>
    </div>
  );
}
