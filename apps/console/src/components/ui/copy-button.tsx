'use client';
import { useState } from 'react';
import { Check, Copy } from 'lucide-react';
import { Button } from './button';

/** Copies `value` to the clipboard and says so for two seconds. */
export function CopyButton({ value, label = 'Copy' }: { value: string; label?: string }) {
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied('yes');
    } catch {
      // Clipboard API refused (plain http on another host): the user can still select the text.
      setCopied('failed');
    }
    setTimeout(() => setCopied(null), 2000);
  };
  return (
    <Button variant="outline" size="sm" onClick={() => void copy()} aria-live="polite">
      {copied === 'yes' ? <Check aria-hidden /> : <Copy aria-hidden />}
      {copied === 'yes' ? 'Copied' : copied === 'failed' ? 'Select and copy' : label}
    </Button>
  );
}
