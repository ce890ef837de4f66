import { createLazyRoute } from '@tanstack/react-router';
import { FleetTable } from '../components/FleetTable';

// `/providers` opens on the fleet table. It is a chunk of its own: the charts' library (uPlot) is
// the detail page's alone, and evaluating it (it builds Intl formatters as it loads, which loads
// the locale data) cost this page tens of milliseconds before it could draw.

export default function ProviderList() {
  return (
    <div className="page">
      <h1>Providers</h1>
      <div className="grid">
        <FleetTable />
      </div>
    </div>
  );
}

export const route = createLazyRoute('/providers')({ component: ProviderList });
