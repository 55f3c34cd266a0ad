/** The forms of one path an attacker tries, to reach a route past a check that reads the URL string. */

const hex = (c: string, upper = false): string => {
  const h = c.charCodeAt(0).toString(16).padStart(2, '0');
  return `%${upper ? h.toUpperCase() : h}`;
};

/** Percent-encodes the first letter of every segment (`/%61pi/%761/%75sers`). */
function encodeFirstLetters(path: string, upper = false): string {
  return path
    .split('/')
    .map((seg) => (seg === '' ? seg : hex(seg[0] as string, upper) + seg.slice(1)))
    .join('/');
}

/** Every letter of every segment encoded. */
function encodeAll(path: string): string {
  return path.split('/').map((seg) => [...seg].map((c) => (/[a-z]/i.test(c) ? hex(c) : c)).join('')).join('/');
}

/** One segment's first letter encoded: `/api/v1/%68ubs`, `/%61pi/v1/hubs`. */
function encodeOneSegment(path: string, index: number): string {
  const segs = path.split('/');
  const seg = segs[index];
  if (seg === undefined || seg === '') return path;
  segs[index] = hex(seg[0] as string) + seg.slice(1);
  return segs.join('/');
}

export interface PathVariant {
  readonly form: string;
  readonly path: string;
}

/** The raw path and its encoded, double-encoded, case-varied, dot-segment and trailing-slash forms. */
export function pathVariants(path: string): PathVariant[] {
  const segs = path.split('/');
  const last = segs.length - 1;
  const out: PathVariant[] = [
    { form: 'raw', path },
    { form: 'first letters encoded', path: encodeFirstLetters(path) },
    { form: 'first letters encoded, upper-case hex', path: encodeFirstLetters(path, true) },
    { form: 'every letter encoded', path: encodeAll(path) },
    { form: 'first segment encoded', path: encodeOneSegment(path, 1) },
    { form: 'last segment encoded', path: encodeOneSegment(path, last) },
    { form: 'double-encoded', path: encodeFirstLetters(path).replace(/%/g, '%25') },
    { form: 'upper case', path: path.toUpperCase() },
    { form: 'mixed case', path: segs.map((s, i) => (i === last ? s.charAt(0).toUpperCase() + s.slice(1) : s)).join('/') },
    { form: 'trailing slash', path: `${path}/` },
    { form: 'dot segment', path: path.replace('/v1/', '/v1/./') },
    { form: 'dot-dot segment', path: path.replace('/v1/', '/v1/x/../') },
    { form: 'double slash', path: path.replace('/v1/', '/v1//') },
    { form: 'encoded slashes', path: path.replace(/\//g, '%2f').replace(/^%2f/, '/') },
    { form: 'semicolon parameter', path: `${path};a=b` },
    { form: 'trailing encoded dot', path: `${path}%2e` },
  ];
  const unique = new Map<string, PathVariant>();
  for (const v of out) if (!unique.has(v.path)) unique.set(v.path, v);
  return [...unique.values()];
}

/** A concrete path for an OpenAPI path template (`/api/v1/hubs/{hubId}` → `/api/v1/hubs/h-sec-1`). */
export function concretePath(template: string): string {
  return template.replace(/\{([^}]+)\}/g, (_m, name: string) => (name === 'version' ? '1' : `${name.toLowerCase()}-sec-1`));
}
