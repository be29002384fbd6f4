'use client';
import { Slider as RadixSlider } from 'radix-ui';

/** A single-thumb slider (Radix: arrow keys, Page Up/Down, Home/End). */
export function Slider({
  value,
  onValueChange,
  label,
  min = 0,
  max = 100,
  step = 1,
  disabled,
  valueText,
}: {
  value: number;
  onValueChange: (value: number) => void;
  label: string;
  min?: number;
  max?: number;
  step?: number;
  disabled?: boolean;
  /** What the value means, for screen readers (e.g. "v1 80%, v2 20%"). */
  valueText?: string;
}) {
  return (
    <RadixSlider.Root
      className="relative flex h-5 w-full touch-none items-center select-none data-[disabled]:opacity-50"
      value={[value]}
      onValueChange={(values) => onValueChange(values[0] ?? min)}
      min={min}
      max={max}
      step={step}
      disabled={disabled}
    >
      <RadixSlider.Track className="relative h-2 grow overflow-hidden rounded-full bg-chart-2">
        <RadixSlider.Range className="absolute h-full bg-chart-1" />
      </RadixSlider.Track>
      <RadixSlider.Thumb
        aria-label={label}
        aria-valuetext={valueText}
        className="block size-5 rounded-full border-2 border-primary bg-card shadow focus-visible:outline-2 focus-visible:outline-ring"
      />
    </RadixSlider.Root>
  );
}
