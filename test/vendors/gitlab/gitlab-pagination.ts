import type { HandlerRequest, HandlerResponse } from '../kit/vendor-server.js';
import { VendorHttpError } from '../kit/vendor-server.js';
import { gitlabError } from './gitlab-json.js';

/** GitLab's offset pagination: 20 a page unless `per_page` asks for up to 100. */
const DEFAULT_PER_PAGE = 20;
const MAX_PER_PAGE = 100;

function positive(r: HandlerRequest, name: string, fallback: number): number {
  const raw = r.query[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1)
    throw new VendorHttpError(400, gitlabError(400, `${name} is invalid`));
  return value;
}

/**
 * One page of a list, as GitLab's REST API answers it ("Pagination" in the REST API docs):
 * `page` and `per_page` in the query, the page's items in the body, and the x-page, x-per-page,
 * x-next-page, x-prev-page, x-total, x-total-pages and Link headers that clients (gitbeaker's
 * `all`, which follows Link rel="next") page on.
 */
export function paginated(
  base: string,
  r: HandlerRequest,
  items: readonly unknown[],
): HandlerResponse {
  const perPage = Math.min(positive(r, 'per_page', DEFAULT_PER_PAGE), MAX_PER_PAGE);
  const page = positive(r, 'page', 1);
  const totalPages = Math.max(1, Math.ceil(items.length / perPage));
  const at = (n: number) => {
    const url = new URL(r.path, base);
    for (const [key, value] of Object.entries(r.query))
      for (const one of Array.isArray(value) ? value : [value]) url.searchParams.append(key, one);
    url.searchParams.set('page', String(n));
    url.searchParams.set('per_page', String(perPage));
    return url.href;
  };
  const links = [
    ...(page < totalPages ? [`<${at(page + 1)}>; rel="next"`] : []),
    ...(page > 1 ? [`<${at(page - 1)}>; rel="prev"`] : []),
    `<${at(1)}>; rel="first"`,
    `<${at(totalPages)}>; rel="last"`,
  ];
  return {
    body: items.slice((page - 1) * perPage, page * perPage),
    headers: {
      'x-page': String(page),
      'x-per-page': String(perPage),
      'x-next-page': page < totalPages ? String(page + 1) : '',
      'x-prev-page': page > 1 ? String(page - 1) : '',
      'x-total': String(items.length),
      'x-total-pages': String(totalPages),
      link: links.join(', '),
    },
  };
}
