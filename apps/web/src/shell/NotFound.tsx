import { Link } from '@tanstack/react-router';

export function NotFound() {
  return (
    <div className="page">
      <h1>Not found</h1>
      <div className="panel">
        <p>
          No console page at <code>{window.location.pathname}</code>. <Link to="/">Go to the overview</Link>.
        </p>
      </div>
    </div>
  );
}
