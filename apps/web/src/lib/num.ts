// Numbers as the console prints them ("1,234", "4.6"), formatted here rather than with
// Intl.NumberFormat: the first ICU formatter a page creates loads the locale data, 25–110 ms of
// main thread on this machine before anything else can run (×4 on a throttled phone), and every
// page prints numbers in its first render. The output is exactly Intl's for 'en-US' (pinned by a
// property test against it): grouping by thousands, half away from zero, trailing zeros dropped.

const GROUP = /\B(?=(\d{3})+(?!\d))/g;

function format(n: number, fractionDigits: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? '∞' : '-∞';
  const sign = n < 0 || Object.is(n, -0) ? '-' : '';
  // ICU rounds the shortest decimal that reads back as the number (0.95 → "1", although the
  // double is a hair below 0.95), which is what String() prints; below 1e-6 String() switches to
  // exponent form, and such a value rounds to 0 at three digits. (At 1e21 and beyond it does too;
  // the console counts in safe integers, far below that.)
  const abs = Math.abs(n);
  const [whole = '0', frac = ''] = (abs < 1e-6 ? '0' : String(abs)).split('.');
  let int = whole;
  let kept = frac.slice(0, fractionDigits);
  if (frac.length > fractionDigits && frac.charCodeAt(fractionDigits) >= 53 /* '5' */) {
    // Half away from zero: add one unit in the last kept place, carrying into the integer part.
    const up = (BigInt(int + kept) + 1n).toString().padStart(int.length + kept.length, '0');
    int = up.slice(0, up.length - kept.length);
    kept = up.slice(up.length - kept.length);
  }
  kept = kept.replace(/0+$/, '');
  return `${sign}${int.replace(GROUP, ',')}${kept ? `.${kept}` : ''}`;
}

/** 1234567 → "1,234,567" (like `n.toLocaleString('en-US')`: up to three fraction digits). */
export const num = (n: number): string => format(n, 3);

/** 4.56 → "4.6" (like `n.toLocaleString('en-US', { maximumFractionDigits: 1 })`). */
export const num1 = (n: number): string => format(n, 1);
