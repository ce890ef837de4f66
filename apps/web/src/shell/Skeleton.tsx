import { Loading } from '../components/ui';

/** What a page shows while its chunk arrives. */
export function RouteSkeleton() {
  return (
    <div className="page">
      <Loading what="Loading page" lines={6} />
    </div>
  );
}
