import Link from 'next/link';

export default function NotFound() {
  return (
    <div className="flex flex-col items-center gap-2 py-20 text-center">
      <p className="text-sm font-medium text-muted-foreground">404</p>
      <h1 className="text-xl font-semibold">This page does not exist</h1>
      <Link href="/" className="text-sm text-primary hover:underline">
        Back to the dashboard
      </Link>
    </div>
  );
}
