import type { ErrorComponentProps } from '@tanstack/react-router';
import { Link } from '@tanstack/react-router';
import { ApiError } from '../api/client';

/** A chunk that failed to download: after a deploy (renamed files) or with the server down. */
export function isChunkError(e: unknown): boolean {
  const m = e instanceof Error ? `${e.name} ${e.message}` : String(e);
  return /dynamically imported module|Importing a module script failed|error loading dynamically|ChunkLoadError|Failed to fetch/i.test(
    m,
  );
}

/**
 * The boundary around each page: a page that throws (or whose code cannot be downloaded) shows
 * what happened and a way on, instead of blanking the console.
 */
export function ViewError({ error, reset }: ErrorComponentProps) {
  const chunk = isChunkError(error);
  const detail =
    error instanceof ApiError ? error.detail : error instanceof Error ? error.message : String(error);
  return (
    <div className="page">
      <h1>{chunk ? 'This page could not be loaded' : 'This page failed'}</h1>
      <div className="state error" role="alert">
        <strong>
          {chunk ? 'The console could not download this page.' : 'Something went wrong showing this page.'}
        </strong>{' '}
        <span className="detail">
          {chunk
            ? 'The server may be unreachable, or the console was updated since this tab opened. Reload to fetch the current version.'
            : detail}
        </span>
        <div className="actions">
          <button type="button" className="primary" onClick={() => window.location.reload()}>
            Reload
          </button>
          {chunk ? null : (
            <button type="button" onClick={reset}>
              Try again
            </button>
          )}
          <Link to="/">Go to the overview</Link>
        </div>
      </div>
    </div>
  );
}
