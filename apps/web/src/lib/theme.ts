export type Theme = 'system' | 'light' | 'dark';

export function storedTheme(): Theme {
  try {
    const t = localStorage.getItem('xdv.theme');
    return t === 'light' || t === 'dark' ? t : 'system';
  } catch {
    return 'system';
  }
}

export function applyTheme(t: Theme): void {
  const root = document.documentElement;
  if (t === 'system') delete root.dataset.theme;
  else root.dataset.theme = t;
  try {
    if (t === 'system') localStorage.removeItem('xdv.theme');
    else localStorage.setItem('xdv.theme', t);
  } catch {
    /* storage unavailable */
  }
}
