import { useMe, useProviders, useTenants } from '../../api/data';

/** Display names for tenant and provider ids (an id is shown only where no name is readable). */
export function useNames() {
  const me = useMe();
  const tenants = useTenants();
  const providers = useProviders();
  const t = new Map((tenants.data ?? []).map((x) => [x.id, x.name]));
  if (me.data?.token.tenant && me.data.tenantName) t.set(me.data.token.tenant, me.data.tenantName);
  const p = new Map((providers.data ?? []).map((x) => [x.id, x.name]));
  return {
    tenant: (id: string) => t.get(id) ?? id,
    provider: (id: string) => p.get(id) ?? id,
  };
}
