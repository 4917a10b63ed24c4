/**
 * Catches what a page throws while rendering, so one broken page never blanks the whole app: the
 * navigation stays and the page says what happened. A part of the app that could not be downloaded
 * (the server was down) is fetched again by reloading once the server is back.
 */
import { Component, type ReactNode } from 'react';
import { onRecovered, reportUnreachable } from '../lib/connectivity';
import { AlertIcon } from './icons';

interface Props {
  /** A new key (the page's path) starts again without the error. */
  resetKey: string;
  children: ReactNode;
  /** Whole-app boundary: the fallback fills the screen. */
  full?: boolean;
}

interface State {
  error: Error | null;
  resetKey: string;
}

/** Vite's and the browsers' messages for a dynamic import whose file could not be fetched. */
function isChunkLoadError(error: Error): boolean {
  return /dynamically imported module|module script failed|Importing a module script|error loading dynamically/i.test(
    error.message,
  );
}

export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: null, resetKey: this.props.resetKey };
  private stopRecovery: (() => void) | undefined;

  static getDerivedStateFromError(error: unknown): Partial<State> {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  static getDerivedStateFromProps(props: Props, state: State): Partial<State> | null {
    return props.resetKey === state.resetKey ? null : { error: null, resetKey: props.resetKey };
  }

  override componentDidMount(): void {
    this.stopRecovery = onRecovered(() => {
      if (this.state.error && isChunkLoadError(this.state.error)) window.location.reload();
    });
  }

  override componentDidCatch(error: Error): void {
    // A file that could not be fetched means the server did not answer (or answers for another
    // build): probe until it does, then reload.
    if (isChunkLoadError(error)) reportUnreachable();
  }

  override componentWillUnmount(): void {
    this.stopRecovery?.();
  }

  override render(): ReactNode {
    const { error } = this.state;
    if (!error) return this.props.children;
    const unreachable = isChunkLoadError(error);
    return (
      <section className={this.props.full ? 'crash crash-full' : 'crash'} aria-labelledby="crash-title">
        <AlertIcon />
        <h1 id="crash-title" className="crash-title" tabIndex={-1}>
          {unreachable ? 'This page could not be loaded' : 'Something went wrong on this page'}
        </h1>
        <p className="muted">
          {unreachable
            ? 'Z-AI could not be reached to load it. It loads by itself as soon as the server answers again.'
            : `The page stopped with an error: ${error.message}`}
        </p>
        <div className="crash-actions">
          <button type="button" className="btn btn-primary" onClick={() => window.location.reload()}>
            Reload the page
          </button>
          {unreachable ? null : (
            <button type="button" className="btn btn-secondary" onClick={() => this.setState({ error: null })}>
              Try again
            </button>
          )}
        </div>
      </section>
    );
  }
}
