/** What to do about a refused chat, next to the server's message: where to fix it in the dashboard. */
import { linkClick } from '../../lib/router';

const REMEDIES: Record<string, { text: string; href: (model: string) => string; link: string }> = {
  spend_cap_reached: {
    text: "This key's spend cap cannot cover the request: raise the cap or pick a cheaper model.",
    href: () => '/keys',
    link: 'Edit keys',
  },
  model_not_priced: {
    text: 'A capped key can only call priced models.',
    href: (model) => `/prices?model=${encodeURIComponent(model)}`,
    link: 'Set a price',
  },
  model_not_allowed: { text: "The model is not in this key's allowed models.", href: () => '/keys', link: 'Edit keys' },
  provider_not_configured: {
    text: 'No connected provider serves this model.',
    href: () => '/providers',
    link: 'Connect a provider',
  },
};

export function ErrorRemedy({ code, model }: { code: string | null; model: string }) {
  const remedy = code === null ? undefined : REMEDIES[code];
  if (remedy === undefined) return null;
  const href = remedy.href(model);
  return (
    <p className="muted small error-remedy">
      {remedy.text}{' '}
      <a href={href} onClick={linkClick(href)}>
        {remedy.link}
      </a>
    </p>
  );
}
