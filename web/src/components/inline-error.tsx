/** An error message in place, announced to screen readers. */
import { AlertIcon } from './icons';

export function InlineError({ message }: { message: string | null | undefined }) {
  if (!message) return null;
  return (
    <div className="inline-error" role="alert">
      <AlertIcon />
      <span>{message}</span>
    </div>
  );
}
