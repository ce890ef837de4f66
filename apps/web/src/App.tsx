import { RouterProvider } from '@tanstack/react-router';
import type { AppRouter } from './routes';

/** The console: the route registry (src/routes.tsx) renders sign-in or the shell around each page. */
export function App({ router }: { router: AppRouter }) {
  return <RouterProvider router={router} />;
}
